import { Queue, type Job, type JobsOptions, type Worker } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { SYNC_QUEUE, type SyncJobData } from '@imsync/callbacks';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '@imsync/testing';
import type { Db } from '../../src/db.js';
import { WorkerMetrics } from '../../src/metrics.js';
import type { WorkerLocks } from '../../src/locks.js';
import { createSyncWorker } from '../../src/worker.js';

export interface Outcome {
  readonly job: Job;
  readonly err?: Error;
  readonly at: number;
}

/** A real BullMQ sync worker on real Redis under a prefix of its own, and a queue to feed it. */
export class WorkerHarness {
  readonly prefix = uniquePrefix('syncworker');
  readonly connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  readonly queue = new Queue(SYNC_QUEUE, { connection: this.connection, prefix: this.prefix });
  readonly worker: Worker;
  /** Every `failed` event (each failed attempt), in order. */
  readonly failures: Outcome[] = [];
  private readonly waiters = new Map<string, (o: Outcome) => void>();
  private readonly finished = new Map<string, Outcome>();

  constructor(
    db: Db,
    concurrency = 4,
    opts: { autorun?: boolean; storeProbeMs?: number; locks?: WorkerLocks } = {},
  ) {
    this.worker = createSyncWorker({
      db,
      connection: this.connection,
      prefix: this.prefix,
      concurrency,
      autorun: opts.autorun,
      storeProbeMs: opts.storeProbeMs,
      locks: opts.locks,
      logger: pino({ level: 'silent' }),
      metrics: new WorkerMetrics({ defaultMetrics: false }),
    });
    this.worker.on('completed', (job) => this.settle({ job, at: Date.now() }));
    this.worker.on('failed', (job, err) => {
      if (!job) return;
      const outcome = { job, err, at: Date.now() };
      this.failures.push(outcome);
      // final when it will not be retried
      if (err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1))
        this.settle(outcome);
    });
  }

  private settle(o: Outcome): void {
    const id = o.job.id!;
    this.finished.set(id, o);
    this.waiters.get(id)?.(o);
  }

  async add(data: SyncJobData, opts: JobsOptions = {}, name: string = data.command): Promise<Job> {
    return this.queue.add(name, data, { attempts: 5, backoff: { type: 'fixed', delay: 50 }, ...opts });
  }

  /** Resolves when the job completed, or failed for good. */
  done(job: Job): Promise<Outcome> {
    const id = job.id!;
    const known = this.finished.get(id);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => this.waiters.set(id, resolve));
  }

  async close(): Promise<void> {
    await this.worker.close();
    await this.queue.close();
    await this.connection.quit();
    await deletePrefix(this.prefix);
  }
}
