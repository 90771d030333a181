import type { Job, Worker } from 'bullmq';
import { DEFAULT_BATCH_MAX, SYNC_BATCH_JOB, type SyncBatchJobData } from '@imsync/callbacks';

/** How many callbacks a job holds: a batch's events (at least 1), else 1. (Parsing refuses a bad batch.) */
export function callbacksIn(job: Pick<Job, 'name' | 'data'>): number {
  if (job.name !== SYNC_BATCH_JOB) return 1;
  const events = (job.data as Partial<SyncBatchJobData> | null)?.events;
  return Array.isArray(events) ? Math.max(1, events.length) : 1;
}

/**
 * Keeps the callbacks a worker holds near `limit` (WORKER_CONCURRENCY) from the first fetch on. BullMQ's
 * concurrency counts jobs, and a batch carries up to INGEST_BATCH_MAX callbacks: 256 batches of 64 would be
 * 16,384 callbacks in memory at once. BullMQ fetches a job before its size is known (sizes are learnt when a
 * job reaches the processor), so the job limit is the jobs held plus as many jobs as the callbacks left in
 * the budget allow at the largest size a job may have (`DEFAULT_BATCH_MAX`, or the largest job seen if
 * larger). The callbacks held never exceed `limit` plus one job's worth, whatever the order of small and
 * large jobs in the queue; a worker of jobs of one callback still holds `limit` jobs.
 */
export class CallbackBudget {
  private jobs = 0;
  private callbacks = 0;
  private worker: Pick<Worker, 'concurrency'> | undefined;
  private largest = DEFAULT_BATCH_MAX;
  constructor(private readonly limit: number) {}

  /** The job limit for the jobs held now (at least 1, so that a worker never stops). */
  get jobLimit(): number {
    const unknown = Math.ceil(Math.max(0, this.limit - this.callbacks) / this.largest);
    return Math.max(1, this.jobs + unknown);
  }

  /** The worker whose job limit this sets: call it before the worker's first fetch. */
  attach(worker: Pick<Worker, 'concurrency'>): void {
    this.worker = worker;
    worker.concurrency = this.jobLimit;
  }

  take(callbacks: number): void {
    this.largest = Math.max(this.largest, callbacks);
    this.jobs++;
    this.callbacks += callbacks;
    if (this.worker) this.worker.concurrency = this.jobLimit;
  }

  give(callbacks: number): void {
    this.jobs--;
    this.callbacks -= callbacks;
    if (this.worker) this.worker.concurrency = this.jobLimit;
  }
}
