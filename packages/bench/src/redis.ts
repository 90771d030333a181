import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { SYNC_BATCH_JOB, SYNC_QUEUE, type SyncBatchJobData } from '@imsync/callbacks';

export const STATES = ['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed'] as const;
export type Counts = Record<(typeof STATES)[number], number>;

/** The bench's own handle on one prefix's sync queue (preloading, pausing, counting). */
export class SyncQueue {
  readonly redis: Redis;
  readonly queue: Queue;

  constructor(
    readonly url: string,
    readonly prefix: string,
  ) {
    this.redis = new Redis(url, { maxRetriesPerRequest: null });
    this.queue = new Queue(SYNC_QUEUE, { connection: this.redis, prefix });
  }

  async counts(): Promise<Counts> {
    const c = await this.queue.getJobCounts(...STATES);
    return Object.fromEntries(STATES.map((s) => [s, c[s] ?? 0])) as Counts;
  }

  /** Every job on the queue, whatever its state. */
  async total(): Promise<number> {
    const c = await this.counts();
    return STATES.reduce((n, s) => n + c[s], 0);
  }

  /**
   * Every callback on the queue, whatever its job's state: a batch job (ingest's jobs of several callbacks)
   * counts its callbacks. Also says how many jobs carried them.
   */
  async callbacks(): Promise<{ callbacks: number; jobs: number }> {
    let callbacks = 0;
    let jobs = 0;
    const PAGE = 2000;
    for (const state of STATES) {
      for (let start = 0; ; start += PAGE) {
        const page = await this.queue.getJobs([state], start, start + PAGE - 1, true);
        for (const job of page) {
          if (!job) continue;
          jobs++;
          callbacks += job.name === SYNC_BATCH_JOB ? (job.data as SyncBatchJobData).events.length : 1;
        }
        if (page.length < PAGE) break;
      }
    }
    return { callbacks, jobs };
  }

  /** When the last job completed (ms since the epoch): the completed set is scored by finishedOn. */
  async lastFinishedOn(): Promise<number> {
    const last = await this.redis.zrange(`${this.prefix}:${SYNC_QUEUE}:completed`, -1, -1, 'WITHSCORES');
    return Number(last[1] ?? NaN);
  }

  /** Why the first failed job failed (for a clear message). */
  async firstFailure(): Promise<string | undefined> {
    const [job] = await this.queue.getFailed(0, 0);
    return job ? `${job.name}: ${job.failedReason}` : undefined;
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.redis.disconnect();
  }
}

/** Memory of every key under a prefix (MEMORY USAGE, summed), and how many keys. */
export async function prefixMemory(url: string, prefix: string): Promise<{ keys: number; bytes: number }> {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  let keys = 0;
  let bytes = 0;
  try {
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      const pipe = redis.pipeline();
      for (const k of batch) pipe.memory('USAGE', k, 'SAMPLES', '0');
      for (const [err, n] of (await pipe.exec()) ?? []) {
        if (!err && typeof n === 'number') {
          keys++;
          bytes += n;
        }
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return { keys, bytes };
}

/** INFO memory used_memory of the whole Redis (shared with whatever else runs on it). */
export async function usedMemory(url: string): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  try {
    const info = await redis.info('memory');
    return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
  } finally {
    redis.disconnect();
  }
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
