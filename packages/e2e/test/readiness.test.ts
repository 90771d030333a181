import { expect } from 'chai';
import { Redis } from 'ioredis';
import {
  PrivateRedis,
  TcpProxy,
  TEST_DATABASE_URL,
  killAll,
  type LogLine,
  eventually,
  loadSample,
} from '@imsync/testing';
import { httpRequest, SDK_APP_ID, Stack } from './support/stack.js';

const readyz = async (url: string) => {
  const r = await httpRequest(`${url}/readyz`);
  return { status: r.status, body: r.json };
};

describe('Redis settings at start, and readiness when Redis or PostgreSQL goes away (real processes)', function () {
  this.timeout(60_000);
  let redis: PrivateRedis;
  let pgProxy: TcpProxy;
  let stack: Stack;

  before(async () => {
    // a Redis configured as BullMQ must not be: may evict keys, and no AOF (PrivateRedis runs without it)
    redis = await PrivateRedis.start();
    const admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    admin.disconnect();
    const pg = new URL(TEST_DATABASE_URL);
    pgProxy = await TcpProxy.start(pg.hostname, Number(pg.port || 5432));
    const viaProxy = new URL(TEST_DATABASE_URL);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(pgProxy.port);
    stack = await Stack.start({
      label: 'ready',
      redisUrl: redis.url,
      workerDatabaseUrl: viaProxy.toString(),
    });
  });
  after(async () => {
    await stack?.close();
    await killAll();
    await pgProxy?.close();
    await redis?.stop();
  });

  for (const service of ['ingest', 'sync-worker'] as const) {
    it(`${service} warns loudly at start, with the fix, about maxmemory-policy and appendonly`, async () => {
      const proc = service === 'ingest' ? stack.ingest : stack.worker;
      const warning = (setting: string) => (l: LogLine) => l.level === 40 && l.redisSetting === setting;
      const eviction = await proc!.waitForLog(warning('maxmemory-policy'), 5000);
      expect(eviction.actual).to.equal('allkeys-lru');
      expect(eviction.msg).to.match(/^REDIS IS NOT SAFE FOR QUEUES: maxmemory-policy is "allkeys-lru"/);
      expect(eviction.msg).to.include('maxmemory-policy noeviction');
      const aof = await proc!.waitForLog(warning('appendonly'), 5000);
      expect(aof.msg).to.include('--appendonly yes --appendfsync everysec');
    });
  }

  it('both are ready; when Redis stops both say not ready (and stay alive); when it is back, ready again', async () => {
    expect(await readyz(stack.adminUrl)).to.deep.equal({
      status: 200,
      body: { status: 'ready', redis: true },
    });
    expect(await readyz(stack.workerAdminUrl)).to.deep.equal({
      status: 200,
      body: { status: 'ready', redis: true, postgres: true },
    });
    await redis.stop();
    await eventually(async () => (await readyz(stack.adminUrl)).status === 503, 10_000, 'ingest not ready');
    expect(await readyz(stack.adminUrl)).to.deep.equal({
      status: 503,
      body: { status: 'not ready', redis: false },
    });
    await eventually(
      async () => (await readyz(stack.workerAdminUrl)).status === 503,
      10_000,
      'worker not ready',
    );
    expect(await readyz(stack.workerAdminUrl)).to.deep.equal({
      status: 503,
      body: { status: 'not ready', redis: false, postgres: true },
    });
    // liveness does not depend on Redis: an orchestrator must not restart them for it
    expect((await httpRequest(`${stack.adminUrl}/healthz`)).status).to.equal(200);
    expect((await httpRequest(`${stack.workerAdminUrl}/healthz`)).status).to.equal(200);

    await redis.restart();
    await eventually(async () => (await readyz(stack.adminUrl)).status === 200, 15_000, 'ingest ready again');
    await eventually(
      async () => (await readyz(stack.workerAdminUrl)).status === 200,
      15_000,
      'worker ready again',
    );
    expect(stack.ingest?.exitStatus).to.equal(undefined);
    expect(stack.worker?.exitStatus).to.equal(undefined);
  });

  it('the worker is not ready while PostgreSQL is unreachable, and ready again once it is back', async () => {
    await pgProxy.cut();
    await eventually(
      async () => (await readyz(stack.workerAdminUrl)).status === 503,
      10_000,
      'worker not ready',
    );
    expect(await readyz(stack.workerAdminUrl)).to.deep.equal({
      status: 503,
      body: { status: 'not ready', redis: true, postgres: false },
    });
    expect((await httpRequest(`${stack.workerAdminUrl}/healthz`)).status).to.equal(200);
    await pgProxy.open();
    await eventually(
      async () => (await readyz(stack.workerAdminUrl)).status === 200,
      10_000,
      'worker ready again',
    );
    expect(stack.worker?.exitStatus).to.equal(undefined);
  });
});

describe('started while Redis is down (real processes)', function () {
  this.timeout(60_000);
  let redis: PrivateRedis;
  let stack: Stack | undefined;
  const createGroup = loadSample('Group.CallbackAfterCreateGroup');
  const query = `SdkAppid=${SDK_APP_ID}&CallbackCommand=Group.CallbackAfterCreateGroup&contenttype=json&ClientIP=127.0.0.1&OptPlatform=RESTAPI`;

  before(async () => {
    redis = await PrivateRedis.start();
    await redis.stop();
  });
  after(async () => {
    await stack?.close();
    await killAll();
    await redis?.stop();
  });

  it('both start and stay up, callbacks get 503, and once Redis is up both take callbacks', async () => {
    stack = await Stack.start({ label: 'redis_late', redisUrl: redis.url });
    const refused = await stack.post(query, createGroup.body);
    expect(refused.status).to.equal(503);
    expect((await readyz(stack.adminUrl)).status).to.equal(503);
    expect((await httpRequest(`${stack.workerAdminUrl}/healthz`)).status).to.equal(200);
    await redis.restart();
    await eventually(async () => (await readyz(stack!.adminUrl)).status === 200, 15_000, 'ingest ready');
    expect((await stack.post(query, createGroup.body)).status).to.equal(200);
    await eventually(
      async () => (await stack!.query('SELECT 1 FROM $schema.groups')).rowCount === 1,
      15_000,
      'the callback applied',
    );
    expect(stack.ingest?.exitStatus).to.equal(undefined);
    expect(stack.worker?.exitStatus).to.equal(undefined);
  });
});
