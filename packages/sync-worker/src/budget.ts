import type { Worker } from 'bullmq';
import { DEFAULT_BATCH_MAX } from '@imsync/callbacks';

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
