import { number, object, string, ValidationError } from 'yup';

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
  readonly logLevel: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const schema = object({
  REDIS_URL: string().matches(/^rediss?:\/\//, '${path} must be a redis:// or rediss:// URL').default('redis://127.0.0.1:6379'),
  DATABASE_URL: string()
    .matches(/^postgres(ql)?:\/\//, '${path} must be a postgres:// URL')
    .default('postgres://postgres:postgres@127.0.0.1:5432/imsync'),
  DB_SCHEMA: string().matches(/^[a-z_][a-z0-9_]{0,62}$/, '${path} must be a lower-case SQL identifier').default('imsync'),
  QUEUE_PREFIX: string().matches(/^[^:\s]+$/, '${path} must not contain ":" or spaces').default('imsync'),
  WORKER_CONCURRENCY: number().integer().min(1).max(256).default(16),
  PG_POOL_SIZE: number().integer().min(1).max(500).optional(),
  WORKER_ADMIN_HOST: string().default('127.0.0.1'),
  WORKER_ADMIN_PORT: number().integer().min(0).max(65535).default(3002),
  SHUTDOWN_TIMEOUT_MS: number().integer().min(100).max(600_000).default(30_000),
  LOG_LEVEL: string().oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** Parses the environment once, at start-up, into a frozen config; a bad value names its variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  let e;
  try {
    e = schema.validateSync(defined, { abortEarly: false, stripUnknown: true });
  } catch (err) {
    if (err instanceof ValidationError) throw new ConfigError(err.errors.join('; '));
    throw err;
  }
  return Object.freeze({
    redisUrl: e.REDIS_URL,
    databaseUrl: e.DATABASE_URL,
    dbSchema: e.DB_SCHEMA,
    queuePrefix: e.QUEUE_PREFIX,
    concurrency: e.WORKER_CONCURRENCY,
    // every concurrent job holds one connection for its transaction, plus one for readiness checks
    poolSize: e.PG_POOL_SIZE ?? e.WORKER_CONCURRENCY + 1,
    adminHost: e.WORKER_ADMIN_HOST,
    adminPort: e.WORKER_ADMIN_PORT,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
  });
}
