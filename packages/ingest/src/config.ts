import { boolean, number, object, string } from 'yup';
import { COMMON_ENV, ConfigError, parseEnv, parseSdkAppId } from '@imsync/service-kit';
import { DEFAULT_BATCH_MAX } from '@imsync/callbacks';

export { ConfigError };

export interface AppCredentials {
  /** Tokens that sign valid requests: the current one, then the previous one during a rotation. */
  readonly tokens: readonly string[];
}

export interface IngestConfig {
  readonly redisUrl: string;
  readonly queuePrefix: string;
  readonly host: string;
  readonly port: number;
  readonly adminHost: string;
  readonly adminPort: number;
  readonly callbackPath: string;
  readonly apps: ReadonlyMap<number, AppCredentials>;
  readonly signMaxSkewSeconds: number;
  readonly bodyLimitBytes: number;
  readonly enqueueTimeoutMs: number;
  readonly dedupeWindowMs: number;
  readonly dedupeWindowNoEventTimeMs: number;
  /** At most this many synced callbacks of one event-loop turn share a job. */
  readonly batchMax: number;
  readonly unroutedEnabled: boolean;
  readonly keepAliveTimeoutMs: number;
  /** On SIGTERM: how long ingest keeps serving, not ready, so that load balancers stop sending here. */
  readonly shutdownDrainMs: number;
  /** After the drain: how long requests already read may take to be answered before their connections close. */
  readonly shutdownTimeoutMs: number;
  readonly logLevel: string;
  readonly dashboard: { readonly user: string; readonly password: string; readonly readOnly: boolean } | null;
}

/** `IM_APPS=1400000001:token1:previousToken,1400000002` plus `IM_SDKAPPID` / `IM_CALLBACK_TOKEN[_PREVIOUS]`. */
export function parseApps(env: NodeJS.ProcessEnv): Map<number, AppCredentials> {
  const apps = new Map<number, AppCredentials>();
  const add = (variable: string, id: number, tokens: string[]) => {
    if (apps.has(id)) throw new ConfigError(`${variable}: SDKAppID ${id} is configured twice`);
    apps.set(id, Object.freeze({ tokens: Object.freeze(tokens.filter((t) => t !== '')) }));
  };
  const single = env.IM_SDKAPPID?.trim();
  if (single) {
    add('IM_SDKAPPID', parseSdkAppId('IM_SDKAPPID', single), [
      env.IM_CALLBACK_TOKEN ?? '',
      env.IM_CALLBACK_TOKEN_PREVIOUS ?? '',
    ]);
  } else if (env.IM_CALLBACK_TOKEN) {
    throw new ConfigError('IM_CALLBACK_TOKEN: set IM_SDKAPPID too (the app the token belongs to)');
  }
  for (const entry of (env.IM_APPS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [id = '', token = '', previous = '', ...rest] = entry.split(':');
    if (rest.length)
      throw new ConfigError(`IM_APPS: "${entry}" has too many parts (SDKAppID:token:previousToken)`);
    if (!token && previous) throw new ConfigError(`IM_APPS: "${id}" has a previous token but no current one`);
    add('IM_APPS', parseSdkAppId('IM_APPS', id.trim()), [token, previous]);
  }
  if (apps.size === 0) throw new ConfigError('IM_SDKAPPID or IM_APPS: configure at least one SDKAppID');
  return apps;
}

const schema = object({
  ...COMMON_ENV,
  INGEST_HOST: string().default('0.0.0.0'),
  INGEST_PORT: number().integer().min(0).max(65535).default(3000),
  ADMIN_HOST: string().default('127.0.0.1'),
  ADMIN_PORT: number().integer().min(0).max(65535).default(3001),
  CALLBACK_PATH: string()
    .matches(/^\/\S*$/, '${path} must start with "/"')
    .default('/im/callback'),
  SIGN_MAX_SKEW_SECONDS: number().integer().min(1).max(3600).default(60),
  BODY_LIMIT_BYTES: number()
    .integer()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  ENQUEUE_TIMEOUT_MS: number().integer().min(50).max(1900).default(1000),
  DEDUPE_WINDOW_SECONDS: number()
    .integer()
    .min(0)
    .max(7 * 24 * 3600)
    .default(600),
  DEDUPE_WINDOW_NO_EVENT_TIME_MS: number().integer().min(0).max(60_000).default(5000),
  INGEST_BATCH_MAX: number().integer().min(1).max(1000).default(DEFAULT_BATCH_MAX),
  UNROUTED_ENABLED: boolean().default(true),
  KEEPALIVE_TIMEOUT_MS: number().integer().min(1000).max(600_000).default(75_000),
  // drain plus finishing stay within compose's default stop_grace_period (10 s) and Kubernetes' (30 s)
  SHUTDOWN_DRAIN_MS: number().integer().min(0).max(600_000).default(5000),
  SHUTDOWN_TIMEOUT_MS: number().integer().min(100).max(600_000).default(3000),
  DASHBOARD_USER: string().optional(),
  DASHBOARD_PASSWORD: string().optional(),
  DASHBOARD_READONLY: boolean().default(false),
});

/** Parses the environment once, at start-up, into a frozen config; a bad value names its variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  const e = parseEnv(schema, env);
  const apps = parseApps(env);
  if ((e.DASHBOARD_USER === undefined) !== (e.DASHBOARD_PASSWORD === undefined)) {
    throw new ConfigError('DASHBOARD_USER and DASHBOARD_PASSWORD: set both or neither');
  }
  return Object.freeze({
    redisUrl: e.REDIS_URL,
    queuePrefix: e.QUEUE_PREFIX,
    host: e.INGEST_HOST,
    port: e.INGEST_PORT,
    adminHost: e.ADMIN_HOST,
    adminPort: e.ADMIN_PORT,
    callbackPath: e.CALLBACK_PATH,
    apps,
    signMaxSkewSeconds: e.SIGN_MAX_SKEW_SECONDS,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    enqueueTimeoutMs: e.ENQUEUE_TIMEOUT_MS,
    dedupeWindowMs: e.DEDUPE_WINDOW_SECONDS * 1000,
    dedupeWindowNoEventTimeMs: e.DEDUPE_WINDOW_NO_EVENT_TIME_MS,
    batchMax: e.INGEST_BATCH_MAX,
    unroutedEnabled: e.UNROUTED_ENABLED,
    keepAliveTimeoutMs: e.KEEPALIVE_TIMEOUT_MS,
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
    dashboard:
      e.DASHBOARD_USER !== undefined && e.DASHBOARD_PASSWORD !== undefined
        ? Object.freeze({
            user: e.DASHBOARD_USER,
            password: e.DASHBOARD_PASSWORD,
            readOnly: e.DASHBOARD_READONLY,
          })
        : null,
  });
}
