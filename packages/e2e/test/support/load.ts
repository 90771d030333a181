import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import {
  eventKeyOf,
  SYNC_BATCH_JOB,
  SYNC_JOB_OPTIONS,
  SYNC_QUEUE,
  type SyncBatchJobData,
  type SyncJobData,
} from '@imsync/callbacks';
import { payloadFor } from '@imsync/testing';
import { SDK_APP_ID } from './stack.js';

/** A login of user `u<id>`, as ingest enqueues it: applied, it is one row of `users`. */
export function login(id: string): SyncJobData {
  const { body } = payloadFor('State.StateChange', id, Date.now());
  return {
    v: 1,
    sdkAppId: SDK_APP_ID,
    command: 'State.StateChange',
    clientIp: '127.0.0.1',
    optPlatform: 'RESTAPI',
    receivedAt: Date.now(),
    eventKey: eventKeyOf(SDK_APP_ID, 'State.StateChange', JSON.stringify(body)),
    body,
  };
}

/** The catalog's attempts and backoff; finished jobs are kept, so that a test reads their attempts. */
const KEEP: JobsOptions = { attempts: SYNC_JOB_OPTIONS.attempts, backoff: SYNC_JOB_OPTIONS.backoff };

/**
 * Steady load on the sync queue, as ingest makes it under traffic: every tick a batch job of `batch` logins
 * and `singles` jobs of one, each for a user of its own. `stop()` ends it; `callbacks` and `jobs` say how
 * many the queue accepted (a tick that Redis refused is not counted, and is not retried).
 */
export class QueueLoad {
  readonly connection: Redis;
  readonly queue: Queue;
  callbacks = 0;
  jobs = 0;
  private running = true;
  private before = 0;
  private readonly loop: Promise<void>;

  constructor(
    redisUrl: string,
    prefix: string,
    private readonly opts: { batch: number; singles: number; tickMs: number; label: string },
  ) {
    this.connection = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    this.connection.on('error', () => undefined); // Redis stopped by the test: the add fails, and says so
    this.queue = new Queue(SYNC_QUEUE, { connection: this.connection, prefix });
    this.queue.on('error', () => undefined);
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    // jobs completed before this load (an earlier test on the same queue)
    this.before = (await this.queue.getJobCounts('completed')).completed ?? 0;
    for (let tick = 0; this.running; tick++) {
      const ids = (n: number, kind: string) =>
        Array.from({ length: n }, (_, i) => `${this.opts.label}-${tick}-${kind}${i}`);
      const batch: SyncBatchJobData = { v: 1, events: ids(this.opts.batch, 'b').map(login) };
      try {
        await this.queue.addBulk([
          { name: SYNC_BATCH_JOB, data: batch, opts: KEEP },
          ...ids(this.opts.singles, 's').map((id) => ({
            name: 'State.StateChange',
            data: login(id),
            opts: KEEP,
          })),
        ]);
        this.callbacks += this.opts.batch + this.opts.singles;
        this.jobs += 1 + this.opts.singles;
      } catch {
        // Redis away: nothing was accepted this tick
      }
      await sleep(this.opts.tickMs);
    }
  }

  /** Ends the load (the last tick finishes). */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  async close(): Promise<void> {
    await this.stop();
    await this.queue.close();
    this.connection.disconnect();
  }

  /** Waits until every job accepted has completed; fails at once if any failed. */
  async drained(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const c = await this.queue.getJobCounts('completed', 'failed');
      if (c.failed) throw new Error(`${c.failed} job(s) failed`);
      if (c.completed! - this.before === this.jobs) return;
      if (Date.now() > deadline)
        throw new Error(`${c.completed! - this.before} of ${this.jobs} jobs completed after ${timeoutMs} ms`);
      await sleep(100);
    }
  }

  /** How many completed jobs made more than one attempt (none, when no fault of a job occurred). */
  async retried(): Promise<number> {
    const jobs = await this.queue.getJobs(['completed']);
    return jobs.filter((j) => j.attemptsMade !== 1).length;
  }
}
