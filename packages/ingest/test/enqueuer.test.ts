import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { Worker } from 'bullmq';
import { REJECTIONS, SYNC_QUEUE, type SyncJobData } from '@imsync/callbacks';
import { callbackQuery, eventually, loadSample, PrivateRedis, uniquePrefix } from '@imsync/testing';
import { BullEnqueuer } from '../src/enqueuer.js';
import { connectRedis, OK, OPEN_APP, post, startHarness, type Harness } from './support.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const friendAdd = loadSample('Sns.CallbackFriendAdd');
const join = loadSample('Group.CallbackAfterNewMemberJoin');

describe('enqueueing: duplicates', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('enqueues a delivery repeated within the window once, and answers OK each time', async () => {
    h = await startHarness();
    const raw = JSON.stringify(join.body);
    for (let i = 0; i < 3; i++) {
      const res = await post(h, join.query.toString(), raw);
      expect(res.body).to.deep.equal(OK);
    }
    // a retry carries a new RequestTime / Sign and may come with another ClientIP: still the same delivery
    const signedAgain = callbackQuery({
      sdkAppId: OPEN_APP,
      command: join.command,
      clientIp: '10.0.0.9',
      optPlatform: 'iOS',
    });
    expect((await post(h, signedAgain, raw)).body).to.deep.equal(OK);
    expect(await h.sync.count()).to.equal(1);
  });

  it('enqueues concurrent deliveries of one event once', async () => {
    h = await startHarness();
    const raw = JSON.stringify(join.body);
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(h, join.query.toString(), raw)));
    for (const res of answers) expect(res.body).to.deep.equal(OK);
    expect(await h.sync.count()).to.equal(1);
  });

  it('enqueues once a delivery that reaches two ingest replicas at the same instant', async () => {
    h = await startHarness();
    const replica = await startHarness({ prefix: h.prefix });
    try {
      const raw = JSON.stringify(join.body);
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => post(i % 2 ? replica : h, join.query.toString(), raw)),
      );
      for (const res of answers) expect(res.body).to.deep.equal(OK);
      expect(await h.sync.count()).to.equal(1);
      const counted = async (result: string) => {
        let n = 0;
        for (const x of [h, replica]) {
          const metric = await x.metrics.registry.getSingleMetric('imsync_callbacks_received_total')!.get();
          for (const v of metric.values) if (v.labels.result === result) n += v.value;
        }
        return n;
      };
      expect(await counted('enqueued')).to.equal(1);
      expect(await counted('duplicate')).to.equal(9);
    } finally {
      await replica.close();
    }
  });

  it('never collapses two distinct events: another body, another app or another command', async () => {
    h = await startHarness();
    await post(h, join.query.toString(), join.body);
    await post(h, join.query.toString(), { ...join.body, EventTime: 1670574414124 });
    await post(h, join.query.toString(), { ...join.body, NewMemberList: [{ Member_Account: 'jared' }] });
    const destroyed = loadSample('Group.CallbackAfterGroupDestroyed');
    await post(h, destroyed.query.toString(), destroyed.body);
    expect(await h.sync.count()).to.equal(4);
  });

  it('lets two identical friend adds without EventTime farther apart than the short window both through', async () => {
    h = await startHarness({ env: { DEDUPE_WINDOW_NO_EVENT_TIME_MS: '200' } });
    const raw = JSON.stringify(friendAdd.body);
    const q = friendAdd.query.toString();
    expect((await post(h, q, raw)).body).to.deep.equal(OK); // add
    expect((await post(h, q, raw)).body).to.deep.equal(OK); // a retry of it, within 200 ms
    expect(await h.sync.count()).to.equal(1);
    await sleep(300); // … delete, and add again
    expect((await post(h, q, raw)).body).to.deep.equal(OK);
    const jobs = await h.jobs('sync');
    expect(jobs).to.have.length(2);
    const [a, b] = jobs.map((j) => j.data as SyncJobData);
    expect(a!.eventKey).to.equal(b!.eventKey);
    // each add carries an id of its own (an add answered with another id was a duplicate)
    for (const job of jobs) expect(job.id).to.match(UUID);
    expect(jobs[0]!.id).to.not.equal(jobs[1]!.id);
    expect(b!.receivedAt - a!.receivedAt).to.be.at.least(200);
  });

  it('keeps the full window for a body with EventTime', async () => {
    h = await startHarness({ env: { DEDUPE_WINDOW_NO_EVENT_TIME_MS: '100' } });
    await post(h, join.query.toString(), join.body);
    await sleep(200);
    await post(h, join.query.toString(), join.body);
    expect(await h.sync.count()).to.equal(1);
    const [key] = await h.redis.keys(`${h.prefix}:sync:de:*`);
    expect(await h.redis.pttl(key!)).to.be.within(590_000, 600_000);
  });

  it('does not remember a delivery whose add failed: the next one is enqueued', async () => {
    h = await startHarness();
    const redis = h.redis;
    // make BullMQ's add script fail (its job-id counter is no integer) while every other key works
    await redis.set(`${h.prefix}:sync:id`, 'not-a-number');
    const raw = JSON.stringify(join.body);
    const failed = await post(h, join.query.toString(), raw);
    expect(failed.status).to.equal(503);
    expect(failed.body).to.deep.include({
      ActionStatus: 'FAIL',
      ErrorCode: REJECTIONS.queueUnavailable.code,
    });
    expect(await h.sync.count()).to.equal(0);
    await redis.del(`${h.prefix}:sync:id`);
    const retried = await post(h, join.query.toString(), raw);
    expect(retried.body).to.deep.equal(OK);
    expect(await h.sync.count()).to.equal(1);
  });

  it('keeps the duplicate mark for the window when retention removes the completed job', async () => {
    h = await startHarness({ env: { DEDUPE_WINDOW_SECONDS: '30' } });
    await post(h, join.query.toString(), join.body);
    const connection = h.redis.duplicate({ maxRetriesPerRequest: null });
    const worker = new Worker(
      SYNC_QUEUE,
      async (job) => {
        job.opts.removeOnComplete = true; // retention keeps none: the job goes the moment it completes
      },
      { connection, prefix: h.prefix },
    );
    try {
      await new Promise((resolve) => worker.once('completed', resolve));
    } finally {
      await worker.close();
      connection.disconnect();
    }
    expect(await h.jobs('sync')).to.have.length(0);
    expect(await h.redis.keys(`${h.prefix}:sync:${'*-*-*-*-*'}`)).to.have.length(0); // no job key left
    await post(h, join.query.toString(), join.body);
    expect(await h.sync.count()).to.equal(0);
    const keys = await h.redis.keys(`${h.prefix}:sync:de:*`);
    expect(keys).to.have.length(1);
    expect(await h.redis.pttl(keys[0]!)).to.be.within(25_000, 30_000);
  });
});

describe('enqueueing: Redis down or slow', () => {
  let redis: PrivateRedis;
  let h: Harness | undefined;
  beforeEach(async () => {
    redis = await PrivateRedis.start();
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
    await redis.stop();
  });

  async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
    const started = performance.now();
    const result = await f();
    return [result, performance.now() - started];
  }

  it('answers 503 queueUnavailable at once when Redis is stopped, never OK; a before-callback is still allowed', async () => {
    h = await startHarness({ redisUrl: redis.url });
    expect((await post(h, join.query.toString(), join.body)).body).to.deep.equal(OK);
    await redis.stop();
    const bound = h.config.enqueueTimeoutMs;
    expect(bound).to.equal(1000);
    for (const command of [join.command, 'Follow.CallbackAfterFollowAdd', 'Nope.Unknown']) {
      const [res, ms] = await timed(() =>
        post(h!, callbackQuery({ sdkAppId: OPEN_APP, command }), {
          ...join.body,
          CallbackCommand: command,
          EventTime: 7,
        }),
      );
      expect(res.status, command).to.equal(503);
      expect(res.body).to.deep.equal({
        ActionStatus: 'FAIL',
        ErrorInfo: REJECTIONS.queueUnavailable.info,
        ErrorCode: REJECTIONS.queueUnavailable.code,
      });
      expect(ms).to.be.below(bound + 500);
    }
    const before = await post(
      h,
      callbackQuery({ sdkAppId: OPEN_APP, command: 'Group.CallbackBeforeCreateGroup' }),
      {},
    );
    expect(before.body).to.deep.equal(OK);
    expect(await h.enqueuer.isReady()).to.equal(false);
    const lines = h.logs().filter((l) => l.reason === 'queueUnavailable');
    expect(lines).to.have.length(3);
  });

  it('enqueues again once Redis is back, and the refused delivery was not marked as seen', async () => {
    h = await startHarness({ redisUrl: redis.url });
    await redis.stop();
    expect((await post(h, join.query.toString(), join.body)).status).to.equal(503);
    await redis.restart();
    await eventually(() => h!.enqueuer.isReady(), 10_000, 'enqueuer ready');
    const res = await post(h, join.query.toString(), join.body);
    expect(res.body).to.deep.equal(OK);
    expect((await h.jobs('sync')).map((j) => j.name)).to.deep.equal([join.command]);
  });

  it('recovers a queue whose start was cut off by Redis going away (BullMQ keeps such a queue failed)', async () => {
    const connection = await connectRedis(redis.url);
    const admin = new Redis(redis.url);
    admin.on('error', () => undefined);
    const prefix = uniquePrefix('ingest-broken');
    // the queue's start (BullMQ reads the server's INFO) waits behind the pause, then Redis dies
    await admin.call('CLIENT', 'PAUSE', '10000', 'ALL');
    const enqueuer = new BullEnqueuer({ connection, prefix, timeoutMs: 1000 });
    try {
      await redis.stop();
      admin.disconnect();
      await sleep(700); // ioredis gives the queued INFO up after its retries (maxRetriesPerRequest 1)
      await redis.restart();
      await eventually(() => enqueuer.isReady(), 10_000, 'enqueuer ready again');
      const data: SyncJobData = {
        v: 1,
        sdkAppId: OPEN_APP,
        command: 'Group.CallbackAfterNewMemberJoin',
        clientIp: null,
        optPlatform: null,
        receivedAt: Date.now(),
        eventKey: 'k'.repeat(64),
        body: join.body as Record<string, unknown>,
      };
      expect(await enqueuer.enqueueSync('Group.CallbackAfterNewMemberJoin', data, 60_000)).to.deep.equal({
        duplicate: false,
      });
      await enqueuer.enqueueUnrouted('Nope.Unknown', {
        sdkAppId: OPEN_APP,
        command: 'Nope.Unknown',
        query: {},
        receivedAt: Date.now(),
        body: {},
      });
    } finally {
      await enqueuer.close();
      connection.disconnect();
    }
  });

  it('answers 503 within ENQUEUE_TIMEOUT_MS (default 1 s) when Redis hangs; the job Redis takes late is not doubled', async () => {
    h = await startHarness({ redisUrl: redis.url });
    expect(h.config.enqueueTimeoutMs).to.equal(1000);
    const admin = new Redis(redis.url);
    try {
      await admin.call('CLIENT', 'PAUSE', '1500', 'ALL');
      const [res, ms] = await timed(() => post(h!, join.query.toString(), join.body));
      expect(res.status).to.equal(503);
      expect(res.body.ErrorCode).to.equal(REJECTIONS.queueUnavailable.code);
      expect(ms).to.be.at.least(1000 - 50);
      expect(ms).to.be.below(1000 + 700);
      await admin.ping(); // returns once the pause is over
      // Redis ran the add it had been sent: Tencent's retry of the refused delivery is a duplicate
      await eventually(async () => (await h!.sync.count()) === 1, 3000, 'one job');
      expect((await post(h, join.query.toString(), join.body)).body).to.deep.equal(OK);
      expect(await h.sync.count()).to.equal(1);
    } finally {
      admin.disconnect();
    }
  });

  it('honours a configured ENQUEUE_TIMEOUT_MS, for the readiness check too', async () => {
    h = await startHarness({ redisUrl: redis.url, env: { ENQUEUE_TIMEOUT_MS: '200' } });
    const admin = new Redis(redis.url);
    try {
      await admin.call('CLIENT', 'PAUSE', '800', 'ALL');
      const [res, ms] = await timed(() => post(h!, friendAdd.query.toString(), friendAdd.body));
      expect(res.status).to.equal(503);
      expect(ms).to.be.below(200 + 500);
      const [ready, readyMs] = await timed(() => h!.enqueuer.isReady());
      expect(ready).to.equal(false);
      expect(readyMs).to.be.below(200 + 500);
      await admin.ping();
    } finally {
      admin.disconnect();
    }
  });
});
