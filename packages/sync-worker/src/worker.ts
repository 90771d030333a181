import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { SYNC_QUEUE, UNROUTED_QUEUE } from '@imsync/callbacks';
import { applyEvent, parseJob } from './apply.js';
import type { Db } from './db.js';
import { GroupCommitter } from './statements.js';
import { assertEveryCommandHandled } from './handlers/index.js';
import type { HandlerResult } from './handlers/types.js';
import type { WorkerMetrics } from './metrics.js';

export interface SyncWorkerDeps {
  readonly db: Db;
  readonly connection: Redis;
  readonly prefix: string;
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
  const processor = async (job: Job): Promise<HandlerResult> => {
    const started = performance.now();
    const event = parseJob(job.name, job.data);
    const result = await applyEvent(deps.db, event, committer);
    metrics.duration.observe({ command: event.command }, (performance.now() - started) / 1000);
    metrics.lag.observe({ command: event.command }, Math.max(0, Date.now() - event.eventTime) / 1000);
    metrics.processed.inc({ command: event.command, result: 'applied' in result ? 'applied' : 'skipped' });
    if ('skipped' in result)
      logger.info({ jobId: job.id, command: job.name, reason: result.skipped }, 'skipped');
    return result;
  };
  const worker = new Worker(SYNC_QUEUE, processor, {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency: deps.concurrency,
    autorun: deps.autorun ?? true,
  });
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
