import { number, object, string } from 'yup';
import { ConfigError, parseEnv, parseSdkAppId } from '@imsync/service-kit';
import { Secret } from './secret.js';
import type { TencentApiClientOptions } from './client.js';

export const DEFAULT_BASE_URL = 'https://console.tim.qq.com';
export const DEFAULT_ADMIN_ACCOUNT = 'administrator';
export const DEFAULT_MAX_RPS = 20;

/** The REST client's variables with their defaults (a yup fragment a service's config can spread). */
export const TENCENT_API_ENV = {
  IM_API_BASE_URL: string()
    .matches(
      /^https?:\/\/[^/\s]+\/?$/,
      '${path} must be an http(s):// origin such as https://console.tim.qq.com',
    )
    .default(DEFAULT_BASE_URL),
  IM_ADMIN_ACCOUNT: string()
    .matches(/^\S+$/, '${path} must be an App admin account (no spaces)')
    .default(DEFAULT_ADMIN_ACCOUNT),
  IM_API_MAX_RPS: number()
    .typeError('${path} must be a number of calls per second')
    .min(0.01)
    .max(200)
    .default(DEFAULT_MAX_RPS),
};

export interface AppKey {
  readonly secretKey: Secret;
  /** The variable the key came from: `IM_SECRET_KEY` or `IM_SECRET_KEYS`. */
  readonly setting: 'IM_SECRET_KEY' | 'IM_SECRET_KEYS';
}

export interface TencentApiSettings {
  readonly baseUrl: string;
  readonly adminAccount: string;
  readonly maxRps: number;
  /** Secret keys by SDKAppID. */
  readonly keys: ReadonlyMap<number, AppKey>;
}

/**
 * `IM_SECRET_KEY` (the key of `IM_SDKAPPID`'s app) and `IM_SECRET_KEYS=SDKAppID:key,…`. Errors name the
 * variable and the SDKAppID, never the key.
 */
export function parseSecretKeys(env: NodeJS.ProcessEnv): Map<number, AppKey> {
  const keys = new Map<number, AppKey>();
  const add = (setting: AppKey['setting'], id: number, key: string) => {
    if (keys.has(id)) throw new ConfigError(`${setting}: SDKAppID ${id} has a secret key twice`);
    if (!/^\S+$/.test(key))
      throw new ConfigError(`${setting}: the secret key of SDKAppID ${id} is empty or has spaces`);
    keys.set(id, Object.freeze({ secretKey: new Secret(key), setting }));
  };
  const single = env.IM_SECRET_KEY?.trim();
  if (single) {
    const id = env.IM_SDKAPPID?.trim();
    if (!id) throw new ConfigError('IM_SECRET_KEY: set IM_SDKAPPID too (the app the key belongs to)');
    add('IM_SECRET_KEY', parseSdkAppId('IM_SDKAPPID', id), single);
  }
  for (const entry of (env.IM_SECRET_KEYS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const colon = entry.indexOf(':');
    if (colon < 0) throw new ConfigError('IM_SECRET_KEYS: each entry must be SDKAppID:key');
    add(
      'IM_SECRET_KEYS',
      parseSdkAppId('IM_SECRET_KEYS', entry.slice(0, colon).trim()),
      entry.slice(colon + 1).trim(),
    );
  }
  return keys;
}

/** Parses the REST client's variables; a bad value throws a ConfigError naming the variable. */
export function parseTencentApiEnv(env: NodeJS.ProcessEnv): TencentApiSettings {
  const e = parseEnv(object(TENCENT_API_ENV), env);
  return Object.freeze({
    baseUrl: e.IM_API_BASE_URL.replace(/\/$/, ''),
    adminAccount: e.IM_ADMIN_ACCOUNT,
    maxRps: e.IM_API_MAX_RPS,
    keys: parseSecretKeys(env),
  });
}

/** The client options for one app, or a ConfigError when no secret key is configured for it. */
export function clientOptionsFor(
  settings: TencentApiSettings,
  sdkAppId: number,
  extra: Partial<Omit<TencentApiClientOptions, 'sdkAppId' | 'secretKey' | 'secretKeySetting'>> = {},
): TencentApiClientOptions {
  const key = settings.keys.get(sdkAppId);
  if (!key)
    throw new ConfigError(
      `IM_SECRET_KEY or IM_SECRET_KEYS: no secret key for SDKAppID ${sdkAppId} (the REST API needs the app's key)`,
    );
  return {
    baseUrl: settings.baseUrl,
    adminAccount: settings.adminAccount,
    maxRps: settings.maxRps,
    ...extra,
    sdkAppId,
    secretKey: key.secretKey,
    secretKeySetting: key.setting,
  };
}
