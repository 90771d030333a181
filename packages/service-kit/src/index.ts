export { COMMON_ENV, ConfigError, loadConfigOrExit, parseEnv, parseSdkAppId } from './env.js';
export {
  checkRedisSettings,
  checkRedisSettingsWhenReady,
  readRedisSettings,
  redisSettingsProblems,
  REQUIRED_REDIS_SETTINGS,
  type RedisConfigReader,
  type RedisSettings,
  type RedisSettingsProblem,
  type SettingsCheckLogger,
} from './redis-settings.js';
export { coalesceWrites, type WriteCoalescer } from './coalesce.js';
export { createLogger } from './logger.js';
export { TIMED_OUT, waitAtMost } from './wait.js';
export { FAIL_FAST_REDIS_OPTIONS, WORKER_REDIS_OPTIONS } from './redis-options.js';
