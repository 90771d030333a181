import type { RedisOptions } from 'ioredis';

/**
 * The ioredis options of a producer that answers a caller while it waits (ingest): while Redis is down or
 * slow a command fails at once instead of queueing, so the caller gets 503, never a hang; reconnects back
 * off up to 2 s.
 */
export const FAIL_FAST_REDIS_OPTIONS = Object.freeze({
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  connectTimeout: 2000,
  retryStrategy: (times: number) => Math.min(times * 200, 2000),
} satisfies RedisOptions);

/** The ioredis options of a BullMQ worker: its blocking commands need `maxRetriesPerRequest: null`. */
export const WORKER_REDIS_OPTIONS = Object.freeze({ maxRetriesPerRequest: null } satisfies RedisOptions);
