import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Db } from '../db.js';
import { PARTS } from './checkpoint.js';
import type { TencentSource } from './source.js';
import { runSweep, type Progress, type SweepSummary } from './sweep.js';

export const RECONCILE_QUEUE = 'reconcile';
/** The one job scheduler of each app: upserting it again (every worker at start) keeps one. */
export const schedulerId = (sdkAppId: number): string => `reconcile:${sdkAppId}`;

/** Reconcile's metrics, on the worker's registry. */
export class ReconcileMetrics {
  readonly changes: Counter<'table' | 'change'>;
  readonly calls: Counter<'endpoint' | 'result'>;
  readonly lastComplete: Gauge<'sdk_app_id'>;

  constructor(registry: Registry) {
    this.changes = new Counter({
      name: 'imsync_reconcile_changes_total',
      help: 'Rows a reconcile sweep repaired (drift the callbacks missed), by table and change (inserted, changed, ended)',
      labelNames: ['table', 'change'] as const,
      registers: [registry],
    });
    this.calls = new Counter({
      name: 'imsync_tencent_api_calls_total',
      help: "Calls to Tencent's REST API made by reconcile sweeps, by endpoint and result",
      labelNames: ['endpoint', 'result'] as const,
      registers: [registry],
    });
    this.lastComplete = new Gauge({
      name: 'imsync_reconcile_last_complete_timestamp_seconds',
      help: 'When the last complete reconcile sweep of an app ended (Unix time)',
      labelNames: ['sdk_app_id'] as const,
      registers: [registry],
    });
  }

  record(s: SweepSummary, endedAt: number): void {
    for (const [table, c] of Object.entries(s.changes))
      for (const change of ['inserted', 'changed', 'ended'] as const)
        if (c[change] > 0) this.changes.inc({ table, change }, c[change]);
    for (const [endpoint, byResult] of Object.entries(s.callsByEndpoint))
      for (const [result, n] of Object.entries(byResult)) if (n > 0) this.calls.inc({ endpoint, result }, n);
    this.lastComplete.set({ sdk_app_id: String(s.sdkAppId) }, endedAt / 1000);
  }
}

export interface ReconcileDeps {
  readonly db: Db;
  readonly connection: ConnectionOptions;
  readonly prefix: string;
  readonly apps: readonly number[];
  readonly intervalMs: number;
  readonly marginMs: number;
  readonly createSource: (sdkAppId: number) => Promise<TencentSource & { close?(): void }>;
  readonly metrics: ReconcileMetrics;
  readonly logger: Logger;
}

export interface ReconcileJobData {
  readonly sdkAppId: number;
}

/**
 * Runs the backfill's sweep on a schedule: one job scheduler per app on the `reconcile` queue (a fixed id,
 * so that every worker upserting it keeps one), and a worker that takes its jobs. At most one sweep runs at
 * a time across every worker: the queue's global concurrency is 1. A sweep stopped halfway (a deploy, a
 * Tencent outage) resumes from its checkpoint on the next job. Progress goes to `job.updateProgress`, the
 * summary is the job's return value.
 */
export async function startReconcile(
  d: ReconcileDeps,
): Promise<{ queue: Queue; worker: Worker; close(): Promise<void> }> {
  const queue = new Queue<ReconcileJobData>(RECONCILE_QUEUE, { connection: d.connection, prefix: d.prefix });
  await queue.setGlobalConcurrency(1);
  for (const sdkAppId of d.apps) {
    await queue.upsertJobScheduler(
      schedulerId(sdkAppId),
      { every: d.intervalMs },
      {
        name: 'reconcile',
        data: { sdkAppId },
        opts: {
          attempts: 3,
          backoff: { type: 'exponential', delay: 60_000 },
          removeOnComplete: 50,
          removeOnFail: 50,
        },
      },
    );
  }
  // aborted on close: a sweep stops after its current batch, and the next run resumes from its checkpoint
  const stopping = new AbortController();
  const worker = new Worker<ReconcileJobData, SweepSummary>(
    RECONCILE_QUEUE,
    (job) => reconcileJob(d, job, stopping.signal),
    {
      connection: d.connection,
      prefix: d.prefix,
      concurrency: 1,
      lockDuration: 120_000,
    },
  );
  worker.on('failed', (job, err) =>
    d.logger.warn(
      { jobId: job?.id, err: err.message },
      'reconcile sweep stopped; it resumes on its next run',
    ),
  );
  return {
    queue,
    worker,
    close: async () => {
      stopping.abort(new Error('the sync-worker is stopping'));
      await worker.close();
      await queue.close();
    },
  };
}

async function reconcileJob(
  d: ReconcileDeps,
  job: Job<ReconcileJobData, SweepSummary>,
  signal: AbortSignal,
): Promise<SweepSummary> {
  const source = await d.createSource(job.data.sdkAppId);
  try {
    const summary = await runSweep(d.db, source, {
      sdkAppId: job.data.sdkAppId,
      sweep: 'reconcile',
      parts: PARTS,
      marginMs: d.marginMs,
      signal,
      onProgress: (p: Progress) => void job.updateProgress({ ...p }),
    });
    d.metrics.record(summary, Date.now());
    d.logger.info({ summary }, 'reconcile sweep complete');
    return summary;
  } finally {
    source.close?.();
  }
}
