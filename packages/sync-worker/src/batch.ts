import type { Job, Queue } from 'bullmq';
import type { Logger } from 'pino';
import {
  parseSyncBatch,
  SYNC_BATCH_JOB,
  SYNC_JOB_OPTIONS,
  type SyncBatchJobData,
  type SyncEvent,
} from '@imsync/callbacks';
import { parseBatchJob } from './apply.js';
import type { HandlerResult } from './handlers/types.js';
import type { WorkerMetrics } from './metrics.js';
import { recordOutcome } from './outcome.js';
import { batchRetryCannotHelp } from './retry-rule.js';
import { isStoreUnavailable } from './store-gate.js';

/** A batch's callback that failed and went on as a job of its own. */
export interface Requeued {
  readonly requeued: string;
  readonly error: string;
}

/** What a batch job returns: each callback's result, in order. */
export interface BatchResult {
  readonly events: readonly (HandlerResult | Requeued)[];
}

export interface BatchDeps {
  /** Applies one callback in its own transaction (group-committed like any job's). */
  readonly apply: (event: SyncEvent) => Promise<HandlerResult>;
  /** The indexes of a batch's callbacks that ingest found to be duplicates when it added the batch. */
  readonly duplicatesOf: (job: Job) => Promise<Set<number>>;
  /** Where a batch's callbacks go on as jobs of their own: the sync queue. */
  readonly queue: Queue;
  readonly metrics: WorkerMetrics;
  readonly logger: Logger;
}

type Failure = { readonly i: number; readonly err: Error };

/**
 * A batch's callbacks are applied each in its own transaction, except those ingest found to be duplicates
 * (another job applies them). If some fail, the others stay applied and the batch is retried (applying them
 * again changes nothing). When no retry can help (see batchRetryCannotHelp), each failed callback goes on as
 * a job of its own (id `<batch id>-<index>`, the catalog's attempts), which fails, is retried and is shown in
 * the dashboard like any job of one callback, and the batch completes: failed batches never pile up, and no
 * callback is lost with one. PostgreSQL being away sends the whole batch back (see store-gate.ts).
 */
export async function processBatch(job: Job, deps: BatchDeps): Promise<BatchResult> {
  const started = performance.now();
  const items = parseBatchJob(job.data);
  const duplicates = await deps.duplicatesOf(job);
  const outcomes = await Promise.allSettled(
    items.map(async (item, i): Promise<HandlerResult> => {
      if (duplicates.has(i)) return { skipped: 'a duplicate: another job carries this callback' };
      if (item instanceof Error) throw item;
      return deps.apply(item);
    }),
  );
  deps.metrics.duration.observe({ command: SYNC_BATCH_JOB }, (performance.now() - started) / 1000);
  const failed = outcomes.flatMap((o, i): Failure[] =>
    o.status === 'rejected' ? [{ i, err: o.reason as Error }] : [],
  );
  const describe = ({ i, err }: Failure) =>
    `#${i}${items[i] instanceof Error ? '' : ` ${(items[i] as SyncEvent).command}`}: ${err.message}`;
  // PostgreSQL away: the whole batch goes back, no attempt counted (applying again changes nothing)
  const away = failed.find((f) => isStoreUnavailable(f.err));
  if (away) throw away.err;
  const errors = failed.map((f) => f.err);
  if (failed.length > 0 && !batchRetryCannotHelp(job, errors)) {
    // counted once the batch is done, not at every attempt
    throw new Error(
      `${failed.length} of ${items.length} callbacks failed: ${failed.map(describe).join('; ')}`,
    );
  }
  const failedIndices = failed.map((f) => f.i);
  const requeued = await requeueCallbacks(deps.queue, job, failedIndices);
  if (failed.length > 0) {
    deps.logger.warn(
      { jobId: job.id, failed: failed.map(describe), requeued: [...requeued.values()] },
      'callbacks of a batch failed: each goes on as a job of its own',
    );
  }
  return { events: resultsOf(job, items, outcomes, requeued, deps) };
}

/** Each callback's result, in order, each recorded in the metrics. */
function resultsOf(
  job: Job,
  items: readonly (SyncEvent | Error)[],
  outcomes: readonly PromiseSettledResult<HandlerResult>[],
  requeued: ReadonlyMap<number, string>,
  deps: BatchDeps,
): (HandlerResult | Requeued)[] {
  return outcomes.map((o, i) => {
    const item = items[i]!;
    const command = item instanceof Error ? 'invalid' : item.command;
    if (o.status === 'fulfilled') {
      if (item instanceof Error) deps.metrics.processed.inc({ command, result: 'skipped' });
      else recordOutcome(deps.metrics, deps.logger, job.id, item, o.value);
      return o.value;
    }
    deps.metrics.processed.inc({ command, result: 'requeued' });
    return { requeued: requeued.get(i)!, error: (o.reason as Error).message };
  });
}

/**
 * Re-adds callbacks of a batch as jobs of their own, `<batch id>-<index>` with the catalog's options, and
 * says their ids. A job of that id may exist already (the batch was retried by hand after an earlier
 * re-add): one that failed is retried afresh, and one that is waiting, running or completed is left be.
 */
export async function requeueCallbacks(
  queue: Queue,
  job: Job,
  indices: readonly number[],
): Promise<Map<number, string>> {
  const raw = (job.data as SyncBatchJobData).events;
  const ids = new Map(indices.map((i) => [i, `${job.id!}-${i}`]));
  if (indices.length === 0) return ids;
  const existing = await Promise.all(indices.map((i) => queue.getJob(ids.get(i)!)));
  const fresh = indices.filter((_, k) => !existing[k]);
  await queue.addBulk(
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
}

/**
 * A batch that failed for good without running to its end (its worker crashed twice while holding it, or
 * Redis failed at its last attempt): every callback that is no duplicate goes on as a job of its own
 * (applying again one that was applied changes nothing). If Redis refuses that too, the batch stays in the
 * failed set with all its callbacks, for a retry by hand.
 */
export async function requeueFailedBatch(job: Job, deps: BatchDeps): Promise<void> {
  let events: readonly unknown[];
  try {
    events = parseSyncBatch(job.data);
  } catch {
    return; // no batch of this version: it failed with its reason, nothing to re-add
  }
  try {
    const duplicates = await deps.duplicatesOf(job);
    const ids = await requeueCallbacks(
      deps.queue,
      job,
      events.flatMap((_, i) => (duplicates.has(i) ? [] : [i])),
    );
    deps.logger.warn(
      { jobId: job.id, requeued: [...ids.values()] },
      'a batch failed for good: its callbacks go on as jobs of their own',
    );
  } catch (err) {
    deps.logger.error(
      { jobId: job.id, err: (err as Error).message },
      'a failed batch could not be re-added: retry it by hand',
    );
  }
}
