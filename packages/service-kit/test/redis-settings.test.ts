import { expect } from 'chai';
import { Redis } from 'ioredis';
import { PrivateRedis } from '@imsync/testing';
import {
  checkRedisSettings,
  checkRedisSettingsWhenReady,
  readRedisSettings,
  redisSettingsProblems,
  type SettingsCheckLogger,
} from '../src/index.js';

/** A logger that records what it was told (the code under test is the check, not pino). */
function recordingLogger() {
  const lines: { level: 'warn' | 'info'; obj: object; msg: string }[] = [];
  const logger: SettingsCheckLogger = {
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
  };
  return { logger, lines };
}

describe('Redis production settings check', () => {
  let server: PrivateRedis;
  const clients: Redis[] = [];
  const connect = (opts: { username?: string; password?: string } = {}) => {
    const c = new Redis(server.url, { maxRetriesPerRequest: 1, ...opts });
    clients.push(c);
    return c;
  };

  before(async () => {
    server = await PrivateRedis.start(); // started with appendonly no, as a careless production might be
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.disconnect();
  });
  after(async () => {
    await server.stop();
  });

  it('reads maxmemory-policy and appendonly from the server', async () => {
    const redis = connect();
    await redis.config('SET', 'maxmemory-policy', 'noeviction');
    expect(await readRedisSettings(redis)).to.deep.equal({ maxmemoryPolicy: 'noeviction', appendonly: 'no' });
  });

  it('warns loudly, with the fix, when AOF is off', async () => {
    const redis = connect();
    await redis.config('SET', 'maxmemory-policy', 'noeviction');
    const { logger, lines } = recordingLogger();
    const problems = await checkRedisSettings(redis, logger);
    expect(problems.map((p) => p.setting)).to.deep.equal(['appendonly']);
    expect(lines).to.have.length(1);
    expect(lines[0]?.level).to.equal('warn');
    expect(lines[0]?.msg).to.match(/REDIS IS NOT SAFE FOR QUEUES: appendonly is "no"/);
    expect(lines[0]?.msg).to.include('--appendonly yes --appendfsync everysec');
  });

  it('warns when Redis may evict keys, and names the fix', async () => {
    const redis = connect();
    await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const { logger, lines } = recordingLogger();
    const problems = await checkRedisSettings(redis, logger);
    expect(problems.map((p) => p.setting)).to.deep.equal(['maxmemory-policy', 'appendonly']);
    const eviction = lines.find((l) => l.msg.includes('maxmemory-policy is "allkeys-lru"'));
    expect(eviction?.level).to.equal('warn');
    expect(eviction?.msg).to.include('maxmemory-policy noeviction');
    expect(eviction?.obj).to.include({
      redisSetting: 'maxmemory-policy',
      actual: 'allkeys-lru',
      expected: 'noeviction',
    });
    await redis.config('SET', 'maxmemory-policy', 'noeviction');
  });

  it('tolerates a server that refuses CONFIG: no warning about the settings, an info that it could not verify', async () => {
    const admin = connect();
    await admin.call('ACL', 'SETUSER', 'noconfig', 'on', '>secret', '~*', '&*', '+@all', '-config');
    const redis = connect({ username: 'noconfig', password: 'secret' });
    expect(await readRedisSettings(redis)).to.deep.equal({ maxmemoryPolicy: null, appendonly: null });
    const { logger, lines } = recordingLogger();
    expect(await checkRedisSettings(redis, logger)).to.deep.equal([]);
    expect(lines.map((l) => l.level)).to.deep.equal(['info']);
    expect(lines[0]?.msg).to.match(/does not allow CONFIG GET/);
  });

  it('waits for the connection to be ready before checking', async () => {
    const redis = new Redis(server.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
    });
    clients.push(redis);
    const { logger, lines } = recordingLogger();
    const checked = checkRedisSettingsWhenReady(redis, logger);
    await redis.connect();
    expect((await checked).map((p) => p.setting)).to.deep.equal(['appendonly']);
    expect(lines.filter((l) => l.level === 'warn')).to.have.length(1);
  });

  it('never throws when Redis is gone: says it could not check', async () => {
    const redis = connect();
    await redis.ping();
    redis.disconnect();
    const { logger, lines } = recordingLogger();
    expect(await checkRedisSettings(redis, logger)).to.deep.equal([]);
    expect(lines[0]?.msg).to.equal('could not check the Redis settings');
  });

  it('the production settings are no problem', () => {
    expect(redisSettingsProblems({ maxmemoryPolicy: 'noeviction', appendonly: 'yes' })).to.deep.equal([]);
    expect(redisSettingsProblems({ maxmemoryPolicy: null, appendonly: null })).to.deep.equal([]);
    expect(redisSettingsProblems({ maxmemoryPolicy: 'volatile-lru', appendonly: 'yes' })).to.have.length(1);
  });
});
