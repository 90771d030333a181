import { number, object, string } from 'yup';
import { COMMON_ENV, ConfigError, parseEnv } from '@imsync/service-kit';
import { parseTencentApiEnv } from '@imsync/tencent-api';
import { parseInterval, RECONCILE_ENV } from './backfill/config.js';
import { DEFAULT_LOCKS, type WorkerLocks } from './locks.js';
import { STORE_ENV } from './store-env.js';

export { ConfigError };

export interface WorkerConfig {
  readonly redisUrl: string;
  readonly databaseUrl: string;
  readonly dbSchema: string;
  readonly queuePrefix: string;
  readonly concurrency: number;
  readonly poolSize: number;
  readonly adminHost: string;
  readonly adminPort: number;
  readonly shutdownTimeoutMs: number;
  /** How soon the jobs of a dead worker go to another. */
  readonly locks: WorkerLocks;
  /** The scheduled sweep of every app with a secret key (RECONCILE_INTERVAL); null when it is off. */
  readonly reconcile: {
    readonly intervalMs: number;
    readonly clockMarginMs: number;
    readonly apps: readonly number[];
  } | null;
  readonly logLevel: string;
}

const schema = object({
  ...COMMON_ENV,
  ...STORE_ENV,
  WORKER_CONCURRENCY: number().integer().min(1).max(1024).default(256),
  PG_POOL_SIZE: number().integer().min(1).max(500).optional(),
  WORKER_ADMIN_HOST: string().default('127.0.0.1'),
  WORKER_ADMIN_PORT: number().integer().min(0).max(65535).default(3002),
  SHUTDOWN_TIMEOUT_MS: number().integer().min(100).max(600_000).default(30_000),
  WORKER_LOCK_MS: number().integer().min(500).max(3_600_000).default(DEFAULT_LOCKS.lockMs),
  WORKER_STALLED_INTERVAL_MS: number()
    .integer()
    .min(100)
    .max(3_600_000)
    .default(DEFAULT_LOCKS.stalledIntervalMs),
  WORKER_MAX_STALLED_COUNT: number().integer().min(0).max(1000).default(DEFAULT_LOCKS.maxStalledCount),
  ...RECONCILE_ENV,
});

/** RECONCILE_INTERVAL and the REST API's settings: every app with a secret key is swept. */
function reconcileOf(env: NodeJS.ProcessEnv, interval: string | undefined, clockMarginMs: number) {
  const intervalMs = parseInterval(interval);
  if (intervalMs === null) return null;
  const apps = [...parseTencentApiEnv(env).keys.keys()];
  if (apps.length === 0)
    throw new ConfigError('RECONCILE_INTERVAL: set IM_SECRET_KEY (with IM_SDKAPPID) or IM_SECRET_KEYS too');
  return Object.freeze({ intervalMs, clockMarginMs, apps: Object.freeze(apps) });
}

/** Parses the environment once, at start-up, into a frozen config; a bad value names its variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const e = parseEnv(schema, env);
  return Object.freeze({
    redisUrl: e.REDIS_URL,
    databaseUrl: e.DATABASE_URL,
    dbSchema: e.DB_SCHEMA,
    queuePrefix: e.QUEUE_PREFIX,
    concurrency: e.WORKER_CONCURRENCY,
    // two group commits in flight at a time (see GroupCommitter); the rest serve replays and readiness checks
    poolSize: e.PG_POOL_SIZE ?? 4,
    adminHost: e.WORKER_ADMIN_HOST,
    adminPort: e.WORKER_ADMIN_PORT,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    locks: Object.freeze({
      lockMs: e.WORKER_LOCK_MS,
      stalledIntervalMs: e.WORKER_STALLED_INTERVAL_MS,
      maxStalledCount: e.WORKER_MAX_STALLED_COUNT,
    }),
    reconcile: reconcileOf(env, e.RECONCILE_INTERVAL, e.RECONCILE_CLOCK_MARGIN_MS),
    logLevel: e.LOG_LEVEL,
  });
}
