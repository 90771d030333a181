import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import {
  BATCH_DUPLICATES_FIELD,
  batchJobOptions,
  eventKeyOf,
  SYNC_BATCH_JOB,
  SYNC_JOB_OPTIONS,
  type SyncBatchJobData,
  type SyncedCommand,
  type SyncJobData,
} from '@imsync/callbacks';
import { Redis } from 'ioredis';
import { callbackQuery, loadSample, postTogether, PrivateRedis } from '@imsync/testing';
import { QueueUnavailableError } from '../src/enqueuer.js';
import { addJobWithMarks, duplicateMarkKey, jobHashKey } from '../src/queue/bullmq-batch.js';
import { OK, OPEN_APP, startHarness, type Harness } from './support.js';

const WINDOW = 60_000;
const state = loadSample('State.StateChange');

/** A distinct valid State.StateChange callback for user `n`, as ingest would enqueue it. */
function callback(n: number | string): { command: SyncedCommand; data: SyncJobData } {
  const body = { ...state.body, Info: { Action: 'Login', To_Account: `user${n}`, Reason: 'Register' } };
  const command = 'State.StateChange';
  return {
    command,
    data: {
      v: 1,
      sdkAppId: OPEN_APP,
      command,
      clientIp: null,
      optPlatform: null,
      receivedAt: Date.now(),
      eventKey: eventKeyOf(OPEN_APP, command, JSON.stringify(body)),
      body,
    },
  };
}

/** Enqueues the callbacks in one event-loop turn. */
const inOneTurn = (h: Harness, callbacks: ReturnType<typeof callback>[], window = WINDOW) =>
  Promise.all(callbacks.map((c) => h.enqueuer.enqueueSync(c.command, c.data, window)));

describe('enqueueing: the synced callbacks of one event-loop turn share a job', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('puts them into one batch job, in order, each marked with the batch id for the window', async () => {
    h = await startHarness();
    const callbacks = [1, 2, 3].map(callback);
    expect(await inOneTurn(h, callbacks)).to.deep.equal(Array(3).fill({ duplicate: false }));
    const jobs = await h.jobs('sync');
    expect(jobs.map((j) => j.name)).to.deep.equal([SYNC_BATCH_JOB]);
    const [job] = jobs;
    expect(job!.data).to.deep.equal({
      v: 1,
      events: callbacks.map((c) => c.data),
    } satisfies SyncBatchJobData);
    expect(job!.opts.attempts).to.be.above(1); // the catalog's retries, as a job of one callback
    // completed batches are kept by callbacks: 100,000 / INGEST_BATCH_MAX jobs; failed ones as any sync job
    expect(job!.opts.removeOnComplete).to.deep.equal({ age: 24 * 3600, count: Math.ceil(100_000 / 64) });
    expect(job!.opts.removeOnFail).to.deep.equal(SYNC_JOB_OPTIONS.removeOnFail);
    for (const c of callbacks) {
      const key = duplicateMarkKey(h.sync, c.data.eventKey);
      expect(await h.redis.get(key)).to.equal(job!.id);
      expect(await h.redis.pttl(key)).to.be.within(WINDOW - 5000, WINDOW);
    }
  });

  it('a turn with one callback still gives it a job of its own, marked by BullMQ under the same key', async () => {
    h = await startHarness();
    const [c] = [callback(1)];
    await inOneTurn(h, [c!]);
    const [job] = await h.jobs('sync');
    expect(job!.name).to.equal('State.StateChange');
    expect(job!.data).to.deep.equal(c!.data);
    expect(await h.redis.get(duplicateMarkKey(h.sync, c!.data.eventKey))).to.equal(job!.id);
  });

  it('splits a turn into jobs of at most INGEST_BATCH_MAX callbacks (1: a job for each)', async () => {
    h = await startHarness({ env: { INGEST_BATCH_MAX: '2' } });
    await inOneTurn(h, [1, 2, 3, 4, 5].map(callback));
    const jobs = await h.jobs('sync');
    expect(jobs.map((j) => j.name)).to.deep.equal([SYNC_BATCH_JOB, SYNC_BATCH_JOB, 'State.StateChange']);
    expect(jobs.map((j) => (j.data as SyncBatchJobData).events?.length ?? 1)).to.deep.equal([2, 2, 1]);
    await h.close();
    h = await startHarness({ env: { INGEST_BATCH_MAX: '1' } });
    await inOneTurn(h, [1, 2, 3].map(callback));
    expect((await h.jobs('sync')).map((j) => j.name)).to.deep.equal(Array(3).fill('State.StateChange'));
  });

  it('a callback enqueued before is a duplicate in a batch: its mark still names the first job', async () => {
    h = await startHarness();
    const [a, b] = [callback('a'), callback('b')];
    await inOneTurn(h, [a]);
    const [first] = await h.jobs('sync');
    expect(await inOneTurn(h, [a, b])).to.deep.equal([{ duplicate: true }, { duplicate: false }]);
    const batch = (await h.jobs('sync')).find((j) => j.name === SYNC_BATCH_JOB)!;
    // the batch still carries it: the worker leaves it to the job its mark names
    expect((batch.data as SyncBatchJobData).events).to.have.length(2);
    expect(await h.redis.get(duplicateMarkKey(h.sync, a.data.eventKey))).to.equal(first!.id);
    // the batch lists it as a duplicate in its hash, in the transaction that added it
    expect(await h.redis.hget(jobHashKey(h.sync, batch.id!), BATCH_DUPLICATES_FIELD)).to.equal('0');
    expect(await h.redis.get(duplicateMarkKey(h.sync, b.data.eventKey))).to.equal(batch.id);
  });

  it('the same callbacks batched by two replicas at the same instant: each is enqueued once', async () => {
    h = await startHarness();
    const replica = await startHarness({ prefix: h.prefix });
    try {
      const callbacks = [1, 2, 3].map(callback);
      const [mine, theirs] = await Promise.all([inOneTurn(h, callbacks), inOneTurn(replica, callbacks)]);
      for (let i = 0; i < callbacks.length; i++) {
        expect([mine[i]!.duplicate, theirs[i]!.duplicate].sort()).to.deep.equal([false, true]);
      }
      const jobs = await h.jobs('sync');
      expect(jobs).to.have.length(2); // both batches are stored …
      const holders = await Promise.all(
        callbacks.map((c) => h.redis.get(duplicateMarkKey(h.sync, c.data.eventKey))),
      );
      // … but every mark names the batch of the replica that answered it as no duplicate
      const winner = jobs.find((j) => j.id === holders[0])!;
      expect(holders).to.deep.equal(Array(3).fill(winner.id));
      const loser = jobs.find((j) => j.id !== winner.id)!;
      expect(await h.redis.hget(jobHashKey(h.sync, winner.id!), BATCH_DUPLICATES_FIELD)).to.equal(null);
      expect(await h.redis.hget(jobHashKey(h.sync, loser.id!), BATCH_DUPLICATES_FIELD)).to.equal('0,1,2');
    } finally {
      await replica.close();
    }
  });

  it('a batch whose transaction runs twice (ioredis resends it after a reconnect) finds no duplicate in itself', async () => {
    h = await startHarness();
    const other = callback('held-by-another-job');
    await inOneTurn(h, [other]);
    const callbacks = [other, ...[1, 2, 3].map(callback)];
    const jobId = randomUUID();
    const add = () =>
      addJobWithMarks(
        h.sync,
        SYNC_BATCH_JOB,
        { v: 1, events: callbacks.map((c) => c.data) } satisfies SyncBatchJobData,
        { ...batchJobOptions(64), jobId },
        callbacks.map((c) => ({ eventKey: c.data.eventKey, windowMs: WINDOW })),
      );
    // a mark another job holds is a duplicate, each time; the batch's own marks are not, the second time either
    expect(await add()).to.deep.equal([true, false, false, false]);
    expect(await add()).to.deep.equal([true, false, false, false]);
    expect(await h.redis.hget(jobHashKey(h.sync, jobId), BATCH_DUPLICATES_FIELD)).to.equal('0');
    expect((await h.jobs('sync')).map((j) => j.id))
      .to.include(jobId)
      .and.to.have.length(2);
  });

  it('sets no mark when the window is 0', async () => {
    h = await startHarness();
    await inOneTurn(h, [1, 2].map(callback), 0);
    expect((await h.jobs('sync')).map((j) => j.name)).to.deep.equal([SYNC_BATCH_JOB]);
    expect(await h.redis.keys(`${h.prefix}:sync:de:*`)).to.deep.equal([]);
  });

  it('marks nothing when neither the batch nor its callbacks alone could be added: each is refused, and enqueued when retried', async () => {
    h = await startHarness();
    await h.redis.set(`${h.prefix}:sync:id`, 'not-a-number'); // BullMQ's add script fails
    const callbacks = [1, 2].map(callback);
    const refused = await Promise.allSettled(
      callbacks.map((c) => h.enqueuer.enqueueSync(c.command, c.data, WINDOW)),
    );
    for (const r of refused) {
      expect(r.status).to.equal('rejected');
      expect((r as PromiseRejectedResult).reason).to.be.instanceOf(QueueUnavailableError);
    }
    expect(await h.redis.keys(`${h.prefix}:sync:de:*`)).to.deep.equal([]);
    expect(await h.sync.count()).to.equal(0);
    await h.redis.del(`${h.prefix}:sync:id`);
    expect(await inOneTurn(h, callbacks)).to.deep.equal(Array(2).fill({ duplicate: false }));
    expect((await h.jobs('sync')).map((j) => j.name)).to.deep.equal([SYNC_BATCH_JOB]);
  });

  it('answers every HTTP callback arriving together OK, batched, and each is in a job exactly once', async () => {
    h = await startHarness();
    const server = await h.listen();
    try {
      const port = (server.address() as { port: number }).port;
      const bodies = Array.from({ length: 20 }, (_, i) => JSON.stringify(callback(i).data.body));
      const path = `/im/callback?${callbackQuery({ sdkAppId: OPEN_APP, command: 'State.StateChange' })}`;
      // every request written in one turn: they reach ingest together, as under load
      const answers = await postTogether(port, path, bodies);
      expect(answers).to.deep.equal(Array(bodies.length).fill(OK));
      const jobs = await h.jobs('sync');
      expect(jobs.some((j) => j.name === SYNC_BATCH_JOB)).to.equal(true);
      const events = jobs.flatMap((j) =>
        j.name === SYNC_BATCH_JOB ? (j.data as SyncBatchJobData).events : [j.data as SyncJobData],
      );
      expect(events.map((e) => JSON.stringify(e.body)).sort()).to.deep.equal([...bodies].sort());
    } finally {
      server.close();
    }
  });
});

describe('enqueueing a batch: Redis down', () => {
  let redis: PrivateRedis;
  let h: Harness | undefined;
  beforeEach(async () => (redis = await PrivateRedis.start()));
  afterEach(async () => {
    await h?.close();
    h = undefined;
    await redis.stop();
  });

  it('adds each callback alone when Redis refuses the batch (its scripts flushed), and answers each', async () => {
    h = await startHarness({ redisUrl: redis.url });
    await inOneTurn(h, [1, 2].map(callback)); // BullMQ's scripts are loaded now, and ioredis knows it
    const admin = new Redis(redis.url);
    try {
      await admin.script('FLUSH'); // the batch's add meets NOSCRIPT inside its MULTI
    } finally {
      admin.disconnect();
    }
    const callbacks = [3, 4, 5].map(callback);
    expect(await inOneTurn(h, callbacks)).to.deep.equal(Array(3).fill({ duplicate: false }));
    const jobs = await h.jobs('sync');
    expect(jobs.map((j) => j.name)).to.deep.equal([SYNC_BATCH_JOB, ...Array(3).fill('State.StateChange')]);
    for (const c of callbacks) {
      const job = jobs.find((j) => (j.data as SyncJobData).eventKey === c.data.eventKey)!;
      expect(await h.redis.get(duplicateMarkKey(h.sync, c.data.eventKey))).to.equal(job.id);
    }
    // and the batches after it work again
    await inOneTurn(h, [6, 7].map(callback));
    expect((await h.jobs('sync')).filter((j) => j.name === SYNC_BATCH_JOB)).to.have.length(2);
  });

  it('refuses every callback of the turn with QueueUnavailableError at once', async () => {
    h = await startHarness({ redisUrl: redis.url });
    await redis.stop();
    const started = performance.now();
    const outcomes = await Promise.allSettled(
      [1, 2, 3].map(callback).map((c) => h!.enqueuer.enqueueSync(c.command, c.data, WINDOW)),
    );
    expect(outcomes.map((o) => o.status)).to.deep.equal(Array(3).fill('rejected'));
    for (const o of outcomes)
      expect((o as PromiseRejectedResult).reason).to.be.instanceOf(QueueUnavailableError);
    expect(performance.now() - started).to.be.below(h.config.enqueueTimeoutMs + 500);
  });
});
