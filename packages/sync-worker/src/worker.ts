import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  BATCH_DUPLICATES_FIELD,
  parseSyncBatch,
  DEFAULT_BATCH_MAX,
  SYNC_JOB_OPTIONS,
  type SyncBatchJobData,
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

/** A batch's callback that failed and went on as a job of its own. */
export interface Requeued {
  readonly requeued: string;
  readonly error: string;
}

/** What a batch job returns: each callback's result, in order. */
export interface BatchResult {
  readonly events: readonly (HandlerResult | Requeued)[];
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
 * BullMQ fetches jobs before any reaches the processor: at start, and once the worker has held nothing for
 * `IDLE_MS` (a gap between group commits is no idleness), its limit is the number of the largest batches
 * that fit (`limit / DEFAULT_BATCH_MAX`, or the largest batch seen if larger, at least 1); it rises at once
 * when the jobs turn out to be smaller.
 */
export class CallbackBudget {
  private jobs = 0;
  private callbacks = 0;
  private worker: Pick<Worker, 'concurrency'> | undefined;
  private idle: NodeJS.Timeout | undefined;
  static readonly IDLE_MS = 100;
  private largest = DEFAULT_BATCH_MAX;
  constructor(private readonly limit: number) {}

  /** The job limit while nothing is known of the jobs to come. */
  get idleLimit(): number {
    return Math.max(1, Math.floor(this.limit / this.largest));
  }

  /** The worker whose job limit this sets. */
  attach(worker: Pick<Worker, 'concurrency'>): void {
    this.worker = worker;
    worker.concurrency = this.idleLimit;
  }

  take(callbacks: number): void {
    this.largest = Math.max(this.largest, callbacks);
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
    if (!this.worker) return;
    clearTimeout(this.idle);
    if (this.jobs > 0) {
      this.worker.concurrency = Math.max(1, Math.round((this.limit * this.jobs) / this.callbacks));
      return;
    }
    this.idle = setTimeout(() => {
      if (this.jobs === 0 && this.worker) this.worker.concurrency = this.idleLimit;
    }, CallbackBudget.IDLE_MS).unref();
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
  /** One queue handle on the worker's connection, to re-add a batch's failed callbacks as jobs of their own. */
  const requeueTo = new Queue(SYNC_QUEUE, { connection: deps.connection, prefix: deps.prefix });
  requeueTo.on('error', () => undefined); // the add that failed says so

  /**
   * Re-adds callbacks of a batch as jobs of their own, `<batch id>-<index>` with the catalog's options, and
   * says their ids. A job of that id may exist already (the batch was retried by hand after an earlier
   * re-add): one that failed is retried afresh, and one that is waiting, running or completed is left be.
   */
  const requeue = async (job: Job, indices: readonly number[]): Promise<Map<number, string>> => {
    const raw = (job.data as SyncBatchJobData).events;
    const ids = new Map(indices.map((i) => [i, `${job.id!}-${i}`]));
    if (indices.length === 0) return ids;
    const existing = await Promise.all(indices.map((i) => requeueTo.getJob(ids.get(i)!)));
    const fresh = indices.filter((_, k) => !existing[k]);
    await requeueTo.addBulk(
      fresh.map((i) => ({
        name: typeof raw[i]?.command === 'string' ? raw[i].command : 'invalid',
        data: raw[i],
        opts: { ...SYNC_JOB_OPTIONS, jobId: ids.get(i)! },
      })),
    );
    for (const own of existing) {
      if (own && (await own.getState()) === 'failed')
        await own.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    }
    return ids;
  };

  /**
   * A batch's callbacks are applied each in its own transaction (group-committed like any job's), except
   * those ingest found to be duplicates when it added the batch (listed in the job's hash): another job
   * applies them. If some fail, the others stay applied and the batch is retried (applying them again
   * changes nothing). When no retry can help (every failure permanent) or this was the batch's last attempt,
   * each failed callback goes on as a job of its own (id `<batch id>-<index>`, the catalog's attempts), which
   * fails, is retried and is shown in the dashboard like any job of one callback, and the batch completes:
   * failed batches never pile up, and no callback is lost with one.
   */
  const processBatch = async (job: Job): Promise<BatchResult> => {
    const started = performance.now();
    const items = parseBatchJob(job.data);
    const listed = await deps.connection.hget(syncJobKey(deps.prefix, job.id!), BATCH_DUPLICATES_FIELD);
    const duplicates = new Set(listed ? listed.split(',').map(Number) : []);
    const outcomes = await Promise.allSettled(
      items.map(async (item, i): Promise<HandlerResult> => {
        if (duplicates.has(i)) return { skipped: 'a duplicate: another job carries this callback' };
        if (item instanceof Error) throw item;
        return applyEvent(deps.db, item, committer);
      }),
    );
    metrics.duration.observe({ command: SYNC_BATCH_JOB }, (performance.now() - started) / 1000);
    const failed = outcomes.flatMap((o, i) =>
      o.status === 'rejected' ? [{ i, err: o.reason as Error }] : [],
    );
    const describe = ({ i, err }: { i: number; err: Error }) =>
      `#${i}${items[i] instanceof Error ? '' : ` ${(items[i] as SyncEvent).command}`}: ${err.message}`;
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (failed.length > 0 && !last && !failed.every((f) => isPermanent(f.err))) {
      // counted once the batch is done, not at every attempt
      throw new Error(
        `${failed.length} of ${items.length} callbacks failed: ${failed.map(describe).join('; ')}`,
      );
    }
    const requeued = await requeue(
      job,
      failed.map((f) => f.i),
    );
    if (failed.length > 0) {
      logger.warn(
        { jobId: job.id, failed: failed.map(describe), requeued: [...requeued.values()] },
        'callbacks of a batch failed: each goes on as a job of its own',
      );
    }
    const events = outcomes.map((o, i) => {
      const item = items[i]!;
      const command = item instanceof Error ? 'invalid' : item.command;
      if (o.status === 'fulfilled') {
        if (item instanceof Error) metrics.processed.inc({ command, result: 'skipped' });
        else observe(item, o.value, job);
        return o.value;
      }
      metrics.processed.inc({ command, result: 'requeued' });
      return { requeued: requeued.get(i)!, error: (o.reason as Error).message };
    });
    return { events };
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
  worker.on('closed', () => void requeueTo.close().catch(() => undefined));
  /**
   * A batch that failed for good without running to its end (its worker crashed twice while holding it, or
   * Redis failed at its last attempt): every callback that is no duplicate goes on as a job of its own
   * (applying again one that was applied changes nothing). If Redis refuses that too, the batch stays in the
   * failed set with all its callbacks, for a retry by hand.
   */
  const requeueFailedBatch = async (job: Job): Promise<void> => {
    try {
      let events: readonly unknown[];
      try {
        events = parseSyncBatch(job.data);
      } catch {
        return; // no batch of this version: it failed with its reason, nothing to re-add
      }
      const listed = await deps.connection.hget(syncJobKey(deps.prefix, job.id!), BATCH_DUPLICATES_FIELD);
      const duplicates = new Set(listed ? listed.split(',').map(Number) : []);
      const ids = await requeue(
        job,
        events.flatMap((_, i) => (duplicates.has(i) ? [] : [i])),
      );
      logger.warn(
        { jobId: job.id, requeued: [...ids.values()] },
        'a batch failed for good: its callbacks go on as jobs of their own',
      );
    } catch (err) {
      logger.error(
        { jobId: job.id, err: (err as Error).message },
        'a failed batch could not be re-added: retry it by hand',
      );
    }
  };
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    if (final && job.name === SYNC_BATCH_JOB) void requeueFailedBatch(job);
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
