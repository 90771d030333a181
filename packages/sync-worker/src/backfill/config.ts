import { number, object, string } from 'yup';
import { COMMON_ENV, ConfigError, parseEnv } from '@imsync/service-kit';
import { STORE_ENV } from '../store-env.js';

/** Settings of backfill and reconcile (the REST client's own are parsed by the client's package). */
export interface SweepConfig {
  readonly databaseUrl: string;
  readonly dbSchema: string;
  readonly logLevel: string;
  /** RECONCILE_CLOCK_MARGIN_MS: a snapshot's version is its request's send time minus this. */
  readonly clockMarginMs: number;
  /** RECONCILE_INTERVAL in ms; null when reconcile is off. */
  readonly reconcileIntervalMs: number | null;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `6h`, `30m`, `1d`, `90s` → ms; `off`, `0` or unset → null. */
export function parseInterval(raw: string | undefined, variable = 'RECONCILE_INTERVAL'): number | null {
  const v = raw?.trim();
  if (!v || v === 'off' || v === '0') return null;
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(v);
  if (!m) throw new ConfigError(`${variable} must be a duration such as 6h, 30m or 1d, or off (got "${v}")`);
  const ms = Number(m[1]) * UNITS[m[2]!]!;
  if (ms < 60_000) throw new ConfigError(`${variable} must be at least 1m (got "${v}")`);
  return ms;
}

/** The settings of the sweep's schedule and versions, read by the backfill command and the worker alike. */
export const RECONCILE_ENV = {
  RECONCILE_CLOCK_MARGIN_MS: number()
    .typeError('${path} must be a number of milliseconds')
    .integer()
    .min(0)
    .max(3_600_000)
    .default(10_000),
  RECONCILE_INTERVAL: string().optional(),
};

const schema = object({
  LOG_LEVEL: COMMON_ENV.LOG_LEVEL,
  ...STORE_ENV,
  ...RECONCILE_ENV,
});

/** Parses the environment once into a frozen config; a bad value names its variable. */
export function loadSweepConfig(env: NodeJS.ProcessEnv = process.env): SweepConfig {
  const e = parseEnv(schema, env);
  return Object.freeze({
    databaseUrl: e.DATABASE_URL,
    dbSchema: e.DB_SCHEMA,
    logLevel: e.LOG_LEVEL,
    clockMarginMs: e.RECONCILE_CLOCK_MARGIN_MS,
    reconcileIntervalMs: parseInterval(e.RECONCILE_INTERVAL),
  });
}
