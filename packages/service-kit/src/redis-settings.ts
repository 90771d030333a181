/** What imsync needs of Redis in production (BullMQ's own recommendation). */
export const REQUIRED_REDIS_SETTINGS = Object.freeze({
  'maxmemory-policy': 'noeviction',
  appendonly: 'yes',
});

export interface RedisSettings {
  /** `null` when the server did not say (CONFIG disabled, renamed or not allowed for this user). */
  readonly maxmemoryPolicy: string | null;
  readonly appendonly: string | null;
}

export interface RedisSettingsProblem {
  readonly setting: keyof typeof REQUIRED_REDIS_SETTINGS;
  readonly actual: string;
  readonly expected: string;
  readonly risk: string;
  readonly fix: string;
}

/** The one method of an ioredis client this module uses (to send `CONFIG GET`). */
export interface RedisConfigReader {
  call(command: string, ...args: string[]): Promise<unknown>;
}

/** The part of a pino logger the check writes to: a warning per problem, a note when CONFIG is refused. */
export interface SettingsCheckLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** Reads one setting with `CONFIG GET`; `null` when CONFIG is disabled or refused. */
async function configGet(redis: RedisConfigReader, name: string): Promise<string | null> {
  try {
    const reply = await redis.call('CONFIG', 'GET', name);
    // RESP2: [name, value]; RESP3: {name: value}
    if (Array.isArray(reply)) return reply.length >= 2 ? String(reply[1]) : null;
    if (reply && typeof reply === 'object' && name in reply)
      return String((reply as Record<string, unknown>)[name]);
    return null;
  } catch (err) {
    // The server answered with an error: CONFIG renamed or disabled (ERR unknown command), refused by an
    // ACL (NOPERM), or by a managed service. Anything else (the connection) is not an answer.
    const e = err as { name?: string; message?: string };
    if (e.name === 'ReplyError' || /^(ERR|NOPERM)\b/.test(e.message ?? '')) return null;
    throw err;
  }
}

export async function readRedisSettings(redis: RedisConfigReader): Promise<RedisSettings> {
  const [maxmemoryPolicy, appendonly] = await Promise.all([
    configGet(redis, 'maxmemory-policy'),
    configGet(redis, 'appendonly'),
  ]);
  return { maxmemoryPolicy, appendonly };
}

/** The settings that put queued jobs at risk, each with its fix. Unknown settings are not problems. */
export function redisSettingsProblems(s: RedisSettings): RedisSettingsProblem[] {
  const problems: RedisSettingsProblem[] = [];
  if (s.maxmemoryPolicy !== null && s.maxmemoryPolicy !== 'noeviction') {
    problems.push({
      setting: 'maxmemory-policy',
      actual: s.maxmemoryPolicy,
      expected: 'noeviction',
      risk: 'when memory is full Redis evicts keys: queued jobs and BullMQ bookkeeping are silently deleted',
      fix: 'redis-server --maxmemory-policy noeviction (redis.conf: "maxmemory-policy noeviction"; live: CONFIG SET maxmemory-policy noeviction)',
    });
  }
  if (s.appendonly !== null && s.appendonly !== 'yes') {
    problems.push({
      setting: 'appendonly',
      actual: s.appendonly,
      expected: 'yes',
      risk: 'jobs acknowledged to Tencent since the last snapshot are lost if Redis restarts',
      fix: 'redis-server --appendonly yes --appendfsync everysec (redis.conf: "appendonly yes" and "appendfsync everysec"; live: CONFIG SET appendonly yes)',
    });
  }
  return problems;
}

/**
 * Checks Redis's production settings once, at start: every setting that puts jobs at risk is a loud
 * warning with its fix. Never throws: a server that refuses CONFIG is reported as unverifiable.
 */
export async function checkRedisSettings(
  redis: RedisConfigReader,
  logger: SettingsCheckLogger,
): Promise<RedisSettingsProblem[]> {
  let settings: RedisSettings;
  try {
    settings = await readRedisSettings(redis);
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'could not check the Redis settings');
    return [];
  }
  const problems = redisSettingsProblems(settings);
  for (const p of problems) {
    logger.warn(
      { redisSetting: p.setting, actual: p.actual, expected: p.expected, fix: p.fix },
      `REDIS IS NOT SAFE FOR QUEUES: ${p.setting} is "${p.actual}", expected "${p.expected}": ${p.risk}. Fix: ${p.fix}`,
    );
  }
  const unknown = Object.entries(settings)
    .filter(([, v]) => v === null)
    .map(([k]) => (k === 'maxmemoryPolicy' ? 'maxmemory-policy' : k));
  if (unknown.length) {
    logger.info(
      { unverified: unknown, expected: REQUIRED_REDIS_SETTINGS },
      'Redis does not allow CONFIG GET: make sure it runs with maxmemory-policy noeviction and appendonly yes',
    );
  }
  return problems;
}

/** Runs the check once the connection is ready (now, if it already is); never blocks start-up. */
export function checkRedisSettingsWhenReady(
  redis: RedisConfigReader & { status: string; once(event: 'ready', listener: () => void): unknown },
  logger: SettingsCheckLogger,
): Promise<RedisSettingsProblem[]> {
  if (redis.status === 'ready') return checkRedisSettings(redis, logger);
  return new Promise((resolve) => {
    redis.once('ready', () => void checkRedisSettings(redis, logger).then(resolve));
  });
}
