import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  BATCH_DUPLICATES_FIELD,
  syncJobKey,
  SYNC_BATCH_JOB,
  SYNC_QUEUE,
  UNROUTED_QUEUE,
  type SyncEvent,
} from '@imsync/callbacks';
import { applyEvent, isPermanent, parseBatchJob, parseJob } from './apply.js';
import type { Db } from './db.js';
import { GroupCommitter } from './statements.js';
import { assertEveryCommandHandled } from './handlers/index.js';
import type { HandlerResult } from './handlers/types.js';
import type { WorkerMetrics } from './metrics.js';

/** What a batch job returns: each callback's result, in order. */
export interface BatchResult {
  readonly events: readonly HandlerResult[];
}

/** How many callbacks a batch job's data carries (1 for anything that is no list: parsing decides). */
const callbacksIn = (data: unknown): number =>
  Math.max(
    1,
    (data as { events?: unknown } | null)?.events instanceof Array
      ? (data as { events: unknown[] }).events.length
      : 1,
  );

/**
 * Keeps the callbacks a worker holds near `limit` (WORKER_CONCURRENCY). BullMQ's concurrency counts jobs,
 * and a batch carries up to INGEST_BATCH_MAX callbacks: 256 batches of 64 would be 16,384 callbacks in
 * memory at once. Each time a job starts or ends, the worker's job limit becomes `limit` divided by the mean
 * size of the jobs it holds, so that it holds about `limit` callbacks whether its jobs carry one or many.
 */
export class CallbackBudget {
  private jobs = 0;
  private callbacks = 0;
  private worker: Pick<Worker, 'concurrency'> | undefined;
  constructor(private readonly limit: number) {}

  /** The worker whose job limit this sets. */
  attach(worker: Pick<Worker, 'concurrency'>): void {
    this.worker = worker;
  }

  take(callbacks: number): void {
    this.jobs++;
    this.callbacks += callbacks;
    this.adjust();
  }

  give(callbacks: number): void {
    this.jobs--;
    this.callbacks -= callbacks;
    this.adjust();
  }

  private adjust(): void {
    if (this.jobs > 0 && this.worker)
      this.worker.concurrency = Math.max(1, Math.round((this.limit * this.jobs) / this.callbacks));
  }
}

export interface SyncWorkerDeps {
  readonly db: Db;
  readonly connection: Redis;
  readonly prefix: string;
  /** Callbacks held at once: the job limit adapts to the jobs' sizes (see CallbackBudget). */
  readonly concurrency: number;
  readonly logger: Logger;
  readonly metrics: WorkerMetrics;
  /** Starts consuming at once (default true). */
  readonly autorun?: boolean;
  /** At most this many ready jobs share one commit (1: every job commits alone). Default 128. */
  readonly groupCommitMaxJobs?: number;
}

/**
 * The BullMQ worker of the sync queue: validates each job again, applies it in one transaction and
 * returns what it did. The error decides: UnrecoverableError fails the job at once, anything else is
 * retried with the catalog's backoff. Never connects by itself. Throws at once if a synced command has no
 * handler.
 */
export function createSyncWorker(deps: SyncWorkerDeps): Worker {
  assertEveryCommandHandled();
  const { metrics, logger } = deps;
  const committer = new GroupCommitter(deps.db, deps.groupCommitMaxJobs ?? 128);
  const observe = (event: SyncEvent, result: HandlerResult, job: Job) => {
    metrics.lag.observe({ command: event.command }, Math.max(0, Date.now() - event.eventTime) / 1000);
    metrics.processed.inc({ command: event.command, result: 'applied' in result ? 'applied' : 'skipped' });
    if ('skipped' in result)
      logger.info({ jobId: job.id, command: event.command, reason: result.skipped }, 'skipped');
  };
  const processOne = async (job: Job): Promise<HandlerResult> => {
    const started = performance.now();
    const event = parseJob(job.name, job.data);
    const result = await applyEvent(deps.db, event, committer);
    metrics.duration.observe({ command: event.command }, (performance.now() - started) / 1000);
    observe(event, result, job);
    return result;
  };
  /**
   * A batch's callbacks are applied each in its own transaction (group-committed like any job's), except
   * those ingest found to be duplicates when it added the batch (listed in the job's hash): another job
   * applies them. If some fail, the others stay applied and the batch fails with every error: retried when
   * one of them may pass later, failed for good when none can. Applying again what was applied changes
   * nothing.
   */
  const processBatch = async (job: Job): Promise<BatchResult> => {
    const started = performance.now();
    const items = parseBatchJob(job.data);
    const listed = await deps.connection.hget(syncJobKey(deps.prefix, job.id!), BATCH_DUPLICATES_FIELD);
    const duplicates = new Set(listed ? listed.split(',').map(Number) : []);
    const outcomes = await Promise.allSettled(
      items.map(async (item, i): Promise<HandlerResult> => {
        if (item instanceof Error) throw item;
        if (duplicates.has(i)) return { skipped: 'a duplicate: another job carries this callback' };
        return applyEvent(deps.db, item, committer);
      }),
    );
    metrics.duration.observe({ command: SYNC_BATCH_JOB }, (performance.now() - started) / 1000);
    const errors: string[] = [];
    let permanent = true;
    outcomes.forEach((o, i) => {
      const item = items[i]!;
      if (o.status === 'fulfilled') observe(item as SyncEvent, o.value, job);
      else {
        permanent &&= isPermanent(o.reason);
        errors.push(
          `#${i}${item instanceof Error ? '' : ` ${item.command}`}: ${(o.reason as Error).message}`,
        );
      }
    });
    if (errors.length === 0)
      return { events: outcomes.map((o) => (o as PromiseFulfilledResult<HandlerResult>).value) };
    const message = `${errors.length} of ${items.length} callbacks failed: ${errors.join('; ')}`;
    throw permanent ? new UnrecoverableError(message) : new Error(message);
  };
  const budget = new CallbackBudget(deps.concurrency);
  const processor = async (job: Job): Promise<HandlerResult | BatchResult> => {
    const size = job.name === SYNC_BATCH_JOB ? callbacksIn(job.data) : 1;
    budget.take(size);
    try {
      return await (job.name === SYNC_BATCH_JOB ? processBatch(job) : processOne(job));
    } finally {
      budget.give(size);
    }
  };
  const worker = new Worker(SYNC_QUEUE, processor, {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency: deps.concurrency,
    autorun: deps.autorun ?? true,
  });
  budget.attach(worker);
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    metrics.processed.inc({ command: job.name, result: final ? 'failed' : 'retry' });
    logger[final ? 'error' : 'warn'](
      { jobId: job.id, command: job.name, attemptsMade: job.attemptsMade, err: err.message },
      final ? 'job failed for good' : 'job failed, will retry',
    );
  });
  worker.on('error', (err) => logger.error({ err: err.message }, 'worker error'));
  return worker;
}

/**
 * The worker of the unrouted queue: completes each job at once, so that retention by age and count
 * bounds the queue while every request stays inspectable in the dashboard.
 */
export function createUnroutedWorker(deps: Omit<SyncWorkerDeps, 'db' | 'metrics'>): Worker {
  const worker = new Worker(UNROUTED_QUEUE, async () => ({ kept: true }), {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency: 1,
    autorun: deps.autorun ?? true,
  });
  worker.on('error', (err) => deps.logger.error({ err: err.message }, 'unrouted worker error'));
  return worker;
}
