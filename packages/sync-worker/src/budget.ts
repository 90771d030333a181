import type { Job, Worker } from 'bullmq';
import { DEFAULT_BATCH_MAX, SYNC_BATCH_JOB, type SyncBatchJobData } from '@imsync/callbacks';
import { afterNextJobChosen } from './queue/bullmq-jobs.js';

/** How many callbacks a job holds: a batch's events (at least 1), else 1. (Parsing refuses a bad batch.) */
export function callbacksIn(job: Pick<Job, 'name' | 'data'>): number {
  if (job.name !== SYNC_BATCH_JOB) return 1;
  const events = (job.data as Partial<SyncBatchJobData> | null)?.events;
  return Array.isArray(events) ? Math.max(1, events.length) : 1;
}

/** How many of the latest jobs' sizes the estimate of the next job's size looks at. */
const WINDOW = 64;

/**
 * Keeps the callbacks a worker holds near `limit` (WORKER_CONCURRENCY) from the first fetch on, through
 * `worker.concurrency`, which BullMQ documents as settable while the worker runs. BullMQ's concurrency
 * counts jobs, and a batch carries up to INGEST_BATCH_MAX callbacks. BullMQ fetches a job before its size is
 * known, so the job limit is the jobs held plus as many jobs as the callbacks left in the budget allow at
 * the largest size among the latest WINDOW jobs (a batch of DEFAULT_BATCH_MAX until that many jobs were
 * seen):
 * - a worker that starts on any backlog, or whose latest jobs include a batch, holds at most `limit` plus
 *   one job's worth;
 * - a worker whose latest WINDOW jobs were all small holds up to `limit` of them: the group commit needs
 *   many jobs ready together;
 * - should batches follow WINDOW small jobs, the jobs fetched before the first of them is seen may all be
 *   batches: at most `limit` jobs, once;
 * - over the limit, the job limit is one below the jobs BullMQ holds: no slot is refilled until the
 *   callbacks held are within the limit again.
 * A job that has run counts until BullMQ has chosen whether to fetch the next job as it moves this one on
 * (see `finished`): within the limit, a finished job's slot then goes to the next job in the same Redis call.
 */
export class CallbackBudget {
  private jobs = 0;
  private callbacks = 0;
  /** Jobs whose run has ended and which are not yet given back, by id: their callbacks, and whether
   * BullMQ has moved them on (it then holds them no longer). */
  private readonly finishing = new Map<string, { readonly callbacks: number; movedOn: boolean }>();
  /** The jobs and callbacks of `finishing` that BullMQ has moved on. */
  private movedOnJobs = 0;
  private movedOnCallbacks = 0;
  private worker: Pick<Worker, 'concurrency'> | undefined;
  private readonly recent: number[] = Array.from({ length: WINDOW }, () => DEFAULT_BATCH_MAX);
  private next = 0;
  private largest = DEFAULT_BATCH_MAX;
  constructor(private readonly limit: number) {}

  /**
   * The job limit for the jobs BullMQ holds now (at least 1, so that a worker never stops). Over the
   * limit, one below them, so that BullMQ fetches no job and refills no slot until back within it.
   */
  get jobLimit(): number {
    const jobs = this.jobs - this.movedOnJobs;
    const room = this.limit - (this.callbacks - this.movedOnCallbacks);
    if (room < 0) return Math.max(1, jobs - 1);
    return Math.max(1, jobs + Math.ceil(room / this.largest));
  }

  /** The worker whose job limit this sets: call it before the worker's first fetch. */
  attach(worker: Pick<Worker, 'concurrency'>): void {
    this.worker = worker;
    worker.concurrency = this.jobLimit;
  }

  take(callbacks: number): void {
    const old = this.recent[this.next]!;
    this.recent[this.next] = callbacks;
    this.next = (this.next + 1) % WINDOW;
    if (callbacks >= this.largest) this.largest = callbacks;
    else if (old === this.largest) this.largest = Math.max(...this.recent);
    this.jobs++;
    this.callbacks += callbacks;
    if (this.worker) this.worker.concurrency = this.jobLimit;
  }

  /**
   * A job's run has ended. It counts until BullMQ has chosen whether moving it on fetches the next job in
   * the same call (see afterNextJobChosen), so that within the limit its slot goes to the next job; or
   * until BullMQ has moved it on, if that comes first (see movedOn).
   */
  finished(jobId: string, callbacks: number): void {
    this.finishing.set(jobId, { callbacks, movedOn: false });
    afterNextJobChosen(() => {
      const f = this.finishing.get(jobId);
      this.finishing.delete(jobId);
      if (f?.movedOn) {
        this.movedOnJobs--;
        this.movedOnCallbacks -= callbacks;
      }
      this.give(callbacks);
    });
  }

  /** BullMQ has moved a job on (its 'completed' or 'failed' event) and holds it no longer. */
  movedOn(jobId: string): void {
    const f = this.finishing.get(jobId);
    if (!f || f.movedOn) return;
    f.movedOn = true;
    this.movedOnJobs++;
    this.movedOnCallbacks += f.callbacks;
    if (this.worker) this.worker.concurrency = this.jobLimit;
  }

  /** A job no longer counts. */
  give(callbacks: number): void {
    this.jobs--;
    this.callbacks -= callbacks;
    if (this.worker) this.worker.concurrency = this.jobLimit;
  }
}
