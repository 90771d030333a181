import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  eventKeyOf,
  jobOptionsFor,
  normalizePlatform,
  SYNC_BATCH_JOB,
  SYNC_JOB_OPTIONS,
  SYNC_QUEUE,
  type SyncBatchJobData,
  type SyncedCommand,
  type SyncJobData,
} from '@imsync/callbacks';
import { payload } from '@imsync/testing';

const STATES = ['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed'] as const;
type Counts = Record<(typeof STATES)[number], number>;

/** The bench's handle on one prefix's sync queue: preloading, counting. */
export class SyncQueue {
  readonly queue: Queue;

  constructor(redis: Redis, prefix: string) {
    this.queue = new Queue(SYNC_QUEUE, { connection: redis, prefix });
  }

  /**
   * `n` callbacks of the series `tag`, shaped as ingest enqueues them, on distinct entities, onto the
   * paused queue: a job each, or `batch` per job as ingest enqueues the callbacks of one event-loop turn.
   */
  async preload(sdkAppId: number, tag: string, n: number, batch = 1): Promise<void> {
    await this.queue.pause();
    const [receivedAt, optPlatform] = [Date.now(), normalizePlatform('Android')];
    const event = (i: number): SyncJobData => {
      const { command, body } = payload(tag, i);
      const eventKey = eventKeyOf(sdkAppId, command, JSON.stringify(body));
      return { v: 1, sdkAppId, command, clientIp: '127.0.0.1', optPlatform, receivedAt, eventKey, body };
    };
    const chunk = batch * Math.ceil(1000 / batch); // whole batches
    for (let start = 0; start < n; start += chunk) {
      const events = Array.from({ length: Math.min(chunk, n - start) }, (_, k) => event(start + k));
      const jobs = [];
      // e2e's payloads test holds the payload builder's commands to the contract
      if (batch === 1)
        for (const data of events) {
          const opts = jobOptionsFor(data.command as SyncedCommand);
          jobs.push({ name: data.command, data, opts: { ...opts } });
        }
      else
        for (let i = 0; i < events.length; i += batch) {
          const data: SyncBatchJobData = { v: 1, events: events.slice(i, i + batch) };
          jobs.push({ name: SYNC_BATCH_JOB, data, opts: { ...SYNC_JOB_OPTIONS } });
        }
      await this.queue.addBulk(jobs);
    }
  }

  async counts(): Promise<Counts> {
    const c = await this.queue.getJobCounts(...STATES);
    return Object.fromEntries(STATES.map((s) => [s, c[s] ?? 0])) as Counts;
  }

  /** Every callback on the queue, whatever its job's state (a batch counts its callbacks), and the jobs. */
  async callbacks(): Promise<{ callbacks: number; jobs: number }> {
    let [callbacks, jobs] = [0, 0];
    const PAGE = 2000;
    for (const state of STATES) {
      for (let start = 0; ; start += PAGE) {
        const page = await this.queue.getJobs([state], start, start + PAGE - 1, true);
        for (const job of page.filter(Boolean)) {
          jobs++;
          callbacks += job.name === SYNC_BATCH_JOB ? (job.data as SyncBatchJobData).events.length : 1;
        }
        if (page.length < PAGE) break;
      }
    }
    return { callbacks, jobs };
  }

  /** When the last job finished (ms since the epoch). */
  async lastFinishedOn(): Promise<number> {
    const [last] = await this.queue.getJobs(['completed'], 0, 0, false);
    return last?.finishedOn ?? NaN;
  }

  /** Why the first failed job failed (for a clear message). */
  async firstFailure(): Promise<string> {
    const [job] = await this.queue.getFailed(0, 0);
    return job ? `${job.name}: ${job.failedReason}` : 'no failed job';
  }
}
