import { Queue, Worker, type Job, type Processor } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { SYNC_BATCH_JOB, SYNC_QUEUE, UNROUTED_QUEUE } from '@imsync/callbacks';
import { applyEvent, parseJob } from './apply.js';
import { processBatch, requeueFailedBatch, type BatchDeps, type BatchResult } from './batch.js';
import { CallbackBudget, callbacksIn } from './budget.js';
import type { Db } from './db.js';
import { assertEveryCommandHandled } from './handlers/index.js';
import type { HandlerResult } from './handlers/types.js';
import { DEFAULT_LOCKS, type WorkerLocks } from './locks.js';
import type { WorkerMetrics } from './metrics.js';
import { recordOutcome } from './outcome.js';
import { batchDuplicates } from './queue/bullmq-jobs.js';
import { failedForGood } from './retry-rule.js';
import { GroupCommitter } from './statements.js';
import { handBack, isStoreUnavailable, pauseWhileStoreAway, StoreGate } from './store-gate.js';

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
 * The BullMQ worker of the sync queue: validates each callback again, applies each in one transaction and
 * returns what it did. For a job of one callback the error decides (see retry-rule.ts): UnrecoverableError
 * fails the job at once, anything else is retried with the catalog's backoff. A batch goes on without the
 * callbacks that cannot be applied (see batch.ts). PostgreSQL being away is no fault of a job (see
 * store-gate.ts): the job goes back to the wait list with no attempt counted, the worker takes no job until
 * PostgreSQL answers a probe again, and then takes them at once. The callbacks held at once are kept near
 * `concurrency` (see budget.ts). Never connects by itself. Throws at once if a synced command has no handler.
 */
export function createSyncWorker(deps: SyncWorkerDeps): Worker {
  assertEveryCommandHandled();
  const { db, metrics, logger } = deps;
  const committer = new GroupCommitter(db, deps.groupCommitMaxJobs ?? 128);
  /** A queue handle on the worker's connection, to re-add a batch's failed callbacks as jobs of their own. */
  const queue = new Queue(SYNC_QUEUE, { connection: deps.connection, prefix: deps.prefix });
  queue.on('error', () => undefined); // the add that failed says so
  const batches: BatchDeps = {
    apply: (event) => applyEvent(db, event, committer),
    duplicatesOf: (job) => batchDuplicates(deps.connection, queue, job.id!),
    queue,
    metrics,
    logger,
  };
  const processOne = async (job: Job): Promise<HandlerResult> => {
    const started = performance.now();
    const event = parseJob(job.name, job.data);
    const result = await applyEvent(db, event, committer);
    metrics.duration.observe({ command: event.command }, (performance.now() - started) / 1000);
    recordOutcome(metrics, logger, job.id, event, result);
    return result;
  };
  const budget = new CallbackBudget(deps.concurrency);
  const gate = new StoreGate({
    probe: () => db.query('SELECT 1'),
    intervalMs: deps.storeProbeMs ?? 500,
    probeTimeoutMs: 5000,
  });
  const processor = guarded(gate, budget, (job) =>
    job.name === SYNC_BATCH_JOB ? processBatch(job, batches) : processOne(job),
  );
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
  worker.on('completed', (job) => budget.movedOn(job.id!));
  worker.on('failed', (job) => job && budget.movedOn(job.id!));
  pauseWhileStoreAway(worker, gate, logger, metrics);
  worker.on('closed', () => void queue.close().catch(() => undefined));
  worker.on('failed', (job, err) => job && onFailed(job, err, metrics, logger, batches));
  worker.on('error', (err) => logger.error({ err: err.message }, 'worker error'));
  return worker;
}

/**
 * The processor around `run`: a job taken while the store is away, or whose run found it away (which
 * closes the gate), is handed back with no attempt counted; a job's callbacks count in the budget while
 * it runs.
 */
function guarded(
  gate: StoreGate,
  budget: CallbackBudget,
  run: (job: Job) => Promise<HandlerResult | BatchResult>,
): Processor<unknown, HandlerResult | BatchResult> {
  return async (job, token) => {
    if (!gate.available) return handBack(job, token);
    const size = callbacksIn(job);
    budget.take(size);
    try {
      return await run(job);
    } catch (err) {
      if (!isStoreUnavailable(err)) throw err;
      gate.lost(err);
      return handBack(job, token);
    } finally {
      budget.finished(job.id!, size);
    }
  };
}

/** A failed attempt: counted and logged; a batch failed for good has its callbacks re-added. */
function onFailed(job: Job, err: Error, metrics: WorkerMetrics, logger: Logger, batches: BatchDeps): void {
  const final = failedForGood(job, err);
  if (final && job.name === SYNC_BATCH_JOB) void requeueFailedBatch(job, batches);
  metrics.processed.inc({ command: job.name, result: final ? 'failed' : 'retry' });
  logger[final ? 'error' : 'warn'](
    { jobId: job.id, command: job.name, attemptsMade: job.attemptsMade, err: err.message },
    final ? 'job failed for good' : 'job failed, will retry',
  );
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
