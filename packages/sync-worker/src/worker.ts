import { Queue, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  parseSyncBatch,
  SYNC_BATCH_JOB,
  SYNC_JOB_OPTIONS,
  SYNC_QUEUE,
  UNROUTED_QUEUE,
  type SyncBatchJobData,
  type SyncEvent,
} from '@imsync/callbacks';
import { applyEvent, isPermanent, parseBatchJob, parseJob } from './apply.js';
import { CallbackBudget } from './budget.js';
import type { Db } from './db.js';
import { batchDuplicates } from './queue/bullmq-jobs.js';
import { GroupCommitter } from './statements.js';
import { isStoreUnavailable, StoreGate } from './store-gate.js';
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
  /** How soon the jobs of a dead worker go to another (see WorkerLocks). Default DEFAULT_LOCKS. */
  readonly locks?: WorkerLocks;
  /** Time between probes of PostgreSQL while it is away. Default 500 ms. */
  readonly storeProbeMs?: number;
}

/**
 * A job's lock lasts `lockMs` and is renewed every half of it; every `stalledIntervalMs` one worker looks
 * for active jobs whose lock has lapsed (their worker died) and puts them back on the wait list, so another
 * worker takes them within about `lockMs + stalledIntervalMs` of the death. A worker whose event loop is
 * blocked for longer than `lockMs` cannot renew its locks and looks dead too: its jobs are then applied
 * twice (harmless: writes are idempotent). A job is failed once it has been found stalled more than
 * `maxStalledCount` times (a job that keeps killing its workers must not kill them for ever).
 */
export interface WorkerLocks {
  readonly lockMs: number;
  readonly stalledIntervalMs: number;
  readonly maxStalledCount: number;
}

export const DEFAULT_LOCKS: WorkerLocks = Object.freeze({
  lockMs: 10_000,
  stalledIntervalMs: 4_000,
  maxStalledCount: 10,
});

/**
 * The BullMQ worker of the sync queue: validates each callback again, applies each in one transaction and
 * returns what it did. For a job of one callback the error decides: UnrecoverableError fails the job at
 * once, anything else is retried with the catalog's backoff. A batch goes on without the callbacks that
 * cannot be applied (see processBatch). PostgreSQL being away is no fault of a job (see isStoreUnavailable):
 * the job goes back to the wait list with no attempt counted, the worker takes no job until PostgreSQL
 * answers a probe again, and then takes them at once. Never connects by itself. Throws at once if a synced
 * command has no handler.
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

  /** The indexes of a batch's callbacks that ingest found to be duplicates (listed in the job's hash). */
  const duplicatesOf = (job: Job): Promise<Set<number>> =>
    batchDuplicates(deps.connection, requeueTo, job.id!);

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
    const duplicates = await duplicatesOf(job);
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
    // PostgreSQL away: the whole batch goes back, no attempt counted (applying again changes nothing)
    const away = failed.find((f) => isStoreUnavailable(f.err));
    if (away) throw away.err;
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
  const gate = new StoreGate({
    probe: () => deps.db.query('SELECT 1'),
    intervalMs: deps.storeProbeMs ?? 500,
    probeTimeoutMs: 5000,
  });
  /**
   * Puts a job back on the wait list, its lock released and no attempt counted; WaitingError tells BullMQ
   * that the job has been moved. Should Redis refuse the move too, the job's lock lapses and the stalled
   * check puts it back.
   */
  const handBack = async (job: Job, token: string | undefined): Promise<never> => {
    await job.moveToWait(token).catch(() => undefined);
    throw new WaitingError();
  };
  const processor = async (job: Job, token?: string): Promise<HandlerResult | BatchResult> => {
    if (!gate.available) return handBack(job, token);
    const batch = job.name === SYNC_BATCH_JOB;
    const events = batch ? (job.data as Partial<SyncBatchJobData> | null)?.events : undefined;
    const size = Array.isArray(events) ? Math.max(1, events.length) : 1; // else parsing refuses it
    budget.take(size);
    try {
      return await (batch ? processBatch(job) : processOne(job));
    } catch (err) {
      if (!isStoreUnavailable(err)) throw err;
      gate.lost(err);
      return handBack(job, token);
    } finally {
      budget.give(size);
    }
  };
  const locks = deps.locks ?? DEFAULT_LOCKS;
  const worker = new Worker(SYNC_QUEUE, processor, {
    connection: deps.connection,
    prefix: deps.prefix,
    // the budget sets the job limit before the first fetch (BullMQ starts fetching after a tick)
    concurrency: budget.jobLimit,
    autorun: deps.autorun ?? true,
    lockDuration: locks.lockMs,
    stalledInterval: locks.stalledIntervalMs,
    maxStalledCount: locks.maxStalledCount,
    // after Redis comes back, fetch again within a second (BullMQ's default waits 15 s)
    runRetryDelay: 1000,
  });
  budget.attach(worker);
  gate.on('down', (reason) => {
    logger.warn({ err: reason }, 'PostgreSQL unreachable: taking no jobs until it answers');
    metrics.storeAvailable.set(0);
    void worker.pause(true);
  });
  gate.on('up', (downMs) => {
    logger.info({ downMs }, 'PostgreSQL answers again: taking jobs');
    metrics.storeAvailable.set(1);
    void worker.resume();
  });
  metrics.storeAvailable.set(1);
  worker.on('closed', () => {
    gate.close();
    void requeueTo.close().catch(() => undefined);
  });
  /**
   * A batch that failed for good without running to its end (its worker crashed twice while holding it, or
   * Redis failed at its last attempt): every callback that is no duplicate goes on as a job of its own
   * (applying again one that was applied changes nothing). If Redis refuses that too, the batch stays in the
   * failed set with all its callbacks, for a retry by hand.
   */
  const requeueFailedBatch = async (job: Job): Promise<void> => {
    let events: readonly unknown[];
    try {
      events = parseSyncBatch(job.data);
    } catch {
      return; // no batch of this version: it failed with its reason, nothing to re-add
    }
    try {
      const duplicates = await duplicatesOf(job);
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
