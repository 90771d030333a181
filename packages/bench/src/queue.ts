import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
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

/** The bench's handle on one prefix's sync queue: preloading, pausing, counting. */
export class SyncQueue {
  readonly redis: Redis;
  readonly queue: Queue;

  constructor(url: string, prefix: string) {
    this.redis = new Redis(url, { maxRetriesPerRequest: null });
    this.queue = new Queue(SYNC_QUEUE, { connection: this.redis, prefix });
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

  async close(): Promise<void> {
    await this.queue.close();
    this.redis.disconnect();
  }
}

/**
 * `n` callbacks of the series `tag`, shaped as ingest enqueues them, on distinct entities, onto a paused
 * queue: a job each, or `batch` per job as ingest enqueues the callbacks of one event-loop turn.
 */
export async function preload(
  url: string,
  prefix: string,
  sdkAppId: number,
  tag: string,
  n: number,
  batch = 1,
): Promise<SyncQueue> {
  const q = new SyncQueue(url, prefix);
  await q.queue.pause();
  const receivedAt = Date.now();
  const chunk = batch * Math.ceil(1000 / batch); // whole batches
  for (let start = 0; start < n; start += chunk) {
    const events: SyncJobData[] = [];
    const singles = [];
    for (let i = start; i < Math.min(n, start + chunk); i++) {
      const p = payload(tag, i);
      const command = p.command as SyncedCommand; // e2e's payloads test holds the builder to the contract
      const eventKey = eventKeyOf(sdkAppId, command, JSON.stringify(p.body));
      const optPlatform = normalizePlatform('Android');
      if (batch === 1) singles.push({ name: command, opts: { ...jobOptionsFor(command) } });
      events.push({
        v: 1,
        sdkAppId,
        command,
        clientIp: '127.0.0.1',
        optPlatform,
        receivedAt,
        eventKey,
        body: p.body,
      });
    }
    if (batch === 1) await q.queue.addBulk(singles.map((job, i) => ({ ...job, data: events[i]! })));
    else {
      const jobs = [];
      for (let i = 0; i < events.length; i += batch) {
        const data: SyncBatchJobData = { v: 1, events: events.slice(i, i + batch) };
        jobs.push({ name: SYNC_BATCH_JOB, data, opts: { ...SYNC_JOB_OPTIONS } });
      }
      await q.queue.addBulk(jobs);
    }
  }
  return q;
}

/** Memory of every key under a prefix (MEMORY USAGE, summed), and how many keys. */
export async function prefixMemory(redis: Redis, prefix: string): Promise<{ keys: number; bytes: number }> {
  let [keys, bytes, cursor] = [0, 0, '0'];
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    const pipe = redis.pipeline();
    for (const k of batch) pipe.memory('USAGE', k, 'SAMPLES', '0');
    for (const [err, used] of (await pipe.exec()) ?? []) {
      if (!err && typeof used === 'number') [keys, bytes] = [keys + 1, bytes + used];
    }
  } while (cursor !== '0');
  return { keys, bytes };
}

/** The Redis's persistence (CONFIG GET), which sets what each write costs: "appendonly yes, appendfsync everysec". */
export async function redisPersistence(url: string): Promise<string> {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  const get = async (name: string) => {
    const reply = (await redis.config('GET', name).catch(() => [])) as unknown[];
    return `${name} ${String(reply[1] ?? 'unknown')}`;
  };
  try {
    return `${await get('appendonly')}, ${await get('appendfsync')}`;
  } finally {
    redis.disconnect();
  }
}
