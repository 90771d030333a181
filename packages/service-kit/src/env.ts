import { string, ValidationError, type AnyObject, type InferType, type ObjectSchema } from 'yup';

/** A configuration variable with a bad value: the message names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** An SDKAppID as configured (digits, no leading zero); `what` names where it came from in the error. */
export function parseSdkAppId(what: string, raw: string): number {
  if (!/^[1-9]\d{0,15}$/.test(raw))
    throw new ConfigError(`${what}: "${raw}" is not an SDKAppID (digits only)`);
  return Number(raw);
}

/** The variables both services read, with their defaults. */
export const COMMON_ENV = {
  REDIS_URL: string()
    .matches(/^rediss?:\/\//, '${path} must be a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: string()
    .matches(/^[^:\s]+$/, '${path} must not contain ":" or spaces')
    .default('imsync'),
  LOG_LEVEL: string().oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

/**
 * Validates the environment against a yup schema (defaults and coercion; empty values count as unset) and
 * lists every bad variable in one ConfigError.
 */
export function parseEnv<S extends ObjectSchema<AnyObject>>(schema: S, env: NodeJS.ProcessEnv): InferType<S> {
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  try {
    return schema.validateSync(defined, { abortEarly: false, stripUnknown: true }) as InferType<S>;
  } catch (err) {
    if (err instanceof ValidationError) throw new ConfigError(err.errors.join('; '));
    throw err;
  }
}

/** Loads a service's config at start-up; a ConfigError stops the process (exit 78) with its message. */
export function loadConfigOrExit<C>(service: string, load: () => C): C {
  try {
    return load();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${service}: configuration error: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
}
