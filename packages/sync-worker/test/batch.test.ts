import { expect } from 'chai';
import {
  BATCH_DUPLICATES_FIELD,
  SYNC_BATCH_JOB,
  type SyncBatchJobData,
  type SyncJobData,
} from '@imsync/callbacks';
import { StoreModel } from './model/model.js';
import { jobOf, sampleJob } from './support/jobs.js';
import { oneRow, readStores } from './support/read.js';
import { openStore, type TestStore } from './support/store.js';
import { withUsersLocked } from './support/lock.js';
import { WorkerHarness } from './support/worker.js';

const batchOf = (events: readonly SyncJobData[]): SyncBatchJobData => ({ v: 1, events });

describe('sync worker: batch jobs (several callbacks in one job)', function () {
  this.timeout(60_000);
  let store: TestStore;
  let harness: WorkerHarness | undefined;
  before(async () => (store = await openStore('sync_batch', 8)));
  after(async () => store.close());
  beforeEach(async () => store.truncate());
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  const addBatch = (h: WorkerHarness, events: readonly SyncJobData[], jobId?: string) =>
    h.queue.add(SYNC_BATCH_JOB, batchOf(events), {
      attempts: 5,
      backoff: { type: 'fixed', delay: 50 },
      ...(jobId ? { jobId } : {}),
    });

  it('applies every callback of a batch, and completes with the result of each in order', async () => {
    harness = new WorkerHarness(store.db);
    const events = [
      sampleJob('State.StateChange'),
      sampleJob('Group.CallbackAfterTopicInfoChanged'), // skipped: no TopicId
      sampleJob('Sns.CallbackFriendAdd'),
    ];
    const job = await addBatch(harness, events);
    expect((await harness.done(job)).err).to.equal(undefined);
    const finished = (await harness.queue.getJob(job.id!))!;
    expect(finished.returnvalue).to.deep.equal({
      events: [
        { applied: true },
        { skipped: 'no TopicId in the event: the topic cannot be identified' },
        { applied: true },
      ],
    });
    expect(await readStores(store.db)).to.deep.equal(StoreModel.of(events).stores());
  });

  it('gives the stores of the same callbacks applied one job each, however they are batched', async () => {
    harness = new WorkerHarness(store.db, 8);
    const G = '@TGS#batched';
    const T = 1_700_000_000_000;
    const users = Array.from({ length: 10 }, (_, i) => `b${i}`);
    const events = [
      jobOf('Group.CallbackAfterCreateGroup', {
        GroupId: G,
        Type: 'Public',
        EventTime: T,
        Operator_Account: 'b0',
        Owner_Account: 'b0',
        Name: 'batched',
        MemberList: [{ Member_Account: 'b0' }],
      }),
      ...users.map((u, i) =>
        jobOf('Group.CallbackAfterNewMemberJoin', {
          GroupId: G,
          Type: 'Public',
          EventTime: T + 1 + i,
          JoinType: 'Apply',
          NewMemberList: [{ Member_Account: u }],
        }),
      ),
      ...users.map((u, i) =>
        jobOf('Group.CallbackAfterMemberExit', {
          GroupId: G,
          Type: 'Public',
          EventTime: T + 20 + i,
          ExitType: 'Quit',
          ExitMemberList: [{ Member_Account: u }],
        }),
      ),
    ].reverse(); // in the wrong order, across batches
    const jobs = [
      await addBatch(harness, events.slice(0, 7)),
      await addBatch(harness, events.slice(7, 8)),
      await addBatch(harness, events.slice(8)),
    ];
    for (const job of jobs) expect((await harness.done(job)).err).to.equal(undefined);
    expect(await readStores(store.db)).to.deep.equal(StoreModel.of(events).stores());
  });

  it('skips the callbacks its hash lists as duplicates, whatever became of their marks, and applies the rest', async () => {
    harness = new WorkerHarness(store.db);
    const [mine, theirs, also] = ['mine', 'theirs', 'also'].map((To_Account) =>
      sampleJob('State.StateChange', { Info: { Action: 'Login', To_Account, Reason: 'Register' } }),
    );
    // what ingest's transaction leaves: the job, then the list of its duplicates (no mark is left: expired)
    await harness.queue.pause();
    const job = await addBatch(harness, [mine!, theirs!, also!]);
    await harness.connection.hset(harness.queue.toKey(job.id!), BATCH_DUPLICATES_FIELD, '1');
    await harness.queue.resume();
    expect((await harness.done(job)).err).to.equal(undefined);
    const finished = (await harness.queue.getJob(job.id!))!;
    expect(finished.returnvalue).to.deep.equal({
      events: [
        { applied: true },
        { skipped: 'a duplicate: another job carries this callback' },
        { applied: true },
      ],
    });
    expect(await oneRow(store.db, 'users', { user_id: 'mine' })).to.include({ online_status: 'Online' });
    expect(await oneRow(store.db, 'users', { user_id: 'also' })).to.include({ online_status: 'Online' });
    const theirsRows = await store.db.query(`SELECT 1 FROM users WHERE user_id = 'theirs'`);
    expect(theirsRows.rowCount).to.equal(0);
  });

  it('an invalid callback goes on as a job of its own, which fails for good with the reason; the batch completes', async () => {
    harness = new WorkerHarness(store.db);
    const good = sampleJob('State.StateChange');
    const bad = { ...sampleJob('Sns.CallbackFriendAdd'), body: { CallbackCommand: 'Sns.CallbackFriendAdd' } };
    const job = await addBatch(harness, [good, bad]);
    expect((await harness.done(job)).err).to.equal(undefined);
    const finished = (await harness.queue.getJob(job.id!))!;
    const events = (finished.returnvalue as { events: Record<string, unknown>[] }).events;
    expect(events[0]).to.deep.equal({ applied: true });
    expect(events[1]).to.include({ requeued: `${job.id}-1` });
    expect(events[1]!.error).to.match(/^invalid callback: /);
    // its own job: named after its command, with the callback as its data, failed at once with the reason
    const own = (await harness.queue.getJob(`${job.id}-1`))!;
    expect(own.name).to.equal('Sns.CallbackFriendAdd');
    expect(own.data).to.deep.equal(bad);
    const { err } = await harness.done(own);
    expect(err?.name).to.equal('UnrecoverableError');
    expect(err?.message).to.match(/^invalid job: /);
    expect(await oneRow(store.db, 'users', { user_id: 'testuser316' })).to.include({
      online_status: 'Online',
    });
  });

  it('a callback re-added before fails again when its batch is retried by hand: its job is retried afresh', async () => {
    harness = new WorkerHarness(store.db);
    const bad = { ...sampleJob('Sns.CallbackFriendAdd'), body: { CallbackCommand: 'Sns.CallbackFriendAdd' } };
    const job = await addBatch(harness, [sampleJob('State.StateChange'), bad]);
    await harness.done(job);
    const own = (await harness.queue.getJob(`${job.id}-1`))!;
    await harness.done(own);
    expect(harness.failures.filter((f) => f.job.id === own.id)).to.have.length(1);
    // the dashboard's retry of the completed batch
    await (await harness.queue.getJob(job.id!))!.retry('completed');
    while (harness.failures.filter((f) => f.job.id === own.id).length < 2)
      await new Promise((r) => setTimeout(r, 20));
    const again = (await harness.queue.getJob(own.id!))!;
    expect(await again.getState()).to.equal('failed');
    expect(again.attemptsStarted).to.equal(1); // afresh
  });

  it('a batch that fails for good without running to its end: its callbacks but the duplicates go on as jobs of their own', async () => {
    harness = new WorkerHarness(store.db);
    await harness.queue.pause();
    const job = await addBatch(
      harness,
      ['a', 'b', 'c'].map((u) =>
        sampleJob('State.StateChange', { Info: { Action: 'Login', To_Account: u, Reason: 'Register' } }),
      ),
    );
    await harness.connection.hset(harness.queue.toKey(job.id!), BATCH_DUPLICATES_FIELD, '1');
    // what BullMQ reports when a job stalled once too often (its worker died holding it)
    harness.worker.emit(
      'failed',
      job,
      Object.assign(new Error('job stalled more than allowable limit'), { name: 'UnrecoverableError' }),
      'active',
    );
    const own = async (i: number) => harness!.queue.getJob(`${job.id}-${i}`);
    while (!(await own(0)) || !(await own(2))) await new Promise((r) => setTimeout(r, 20));
    expect(await own(1)).to.equal(undefined);
    expect((await own(0))!.data).to.deep.equal((job.data as SyncBatchJobData).events[0]);
  });

  it('a batch of nothing but invalid callbacks: each goes on as a job of its own at once, no retry', async () => {
    harness = new WorkerHarness(store.db);
    const bad = { ...sampleJob('Sns.CallbackFriendAdd'), body: { CallbackCommand: 'Sns.CallbackFriendAdd' } };
    const job = await addBatch(harness, [bad, { ...bad, v: 2 } as unknown as SyncJobData]);
    expect((await harness.done(job)).err).to.equal(undefined);
    const finished = (await harness.queue.getJob(job.id!))!;
    expect(finished.attemptsStarted).to.equal(1); // no retry: nothing a retry could fix
    for (const i of [0, 1]) {
      const own = (await harness.queue.getJob(`${job.id}-${i}`))!;
      expect((await harness.done(own)).err?.name).to.equal('UnrecoverableError');
    }
    expect(harness.failures.map((f) => f.job.id).sort()).to.deep.equal([`${job.id}-0`, `${job.id}-1`]);
  });

  it('at its last attempt, a callback that still fails for now goes on as a job of its own, applied once it can be', async () => {
    await withUsersLocked(store, async (db, unlock) => {
      try {
        harness = new WorkerHarness(db, 4);
        const events = [sampleJob('Sns.CallbackFriendAdd'), sampleJob('State.StateChange')];
        const job = await harness.queue.add(SYNC_BATCH_JOB, batchOf(events), { attempts: 1 });
        expect((await harness.done(job)).err).to.equal(undefined);
        const own = (await harness.queue.getJob(`${job.id}-1`))!;
        expect(own.name).to.equal('State.StateChange');
        expect(own.opts.attempts).to.equal(10); // the catalog's, as any job of one callback
        await unlock();
        expect((await harness.done(own)).err).to.equal(undefined);
        expect(await readStores(store.db)).to.deep.equal(StoreModel.of(events).stores());
      } finally {
        await harness?.close();
        harness = undefined;
      }
    });
  });

  it('holds about WORKER_CONCURRENCY callbacks at once, however many each job carries, from its start', async () => {
    // the jobs wait before the worker starts: BullMQ fetches jobs before any reaches the processor
    harness = new WorkerHarness(store.db, 8, { autorun: false });
    let held = 0;
    let most = 0;
    const sizes = new Map<string, number>();
    harness.worker.on('active', (job) => {
      const size = job.name === SYNC_BATCH_JOB ? (job.data as SyncBatchJobData).events.length : 1;
      sizes.set(job.id!, size);
      most = Math.max(most, (held += size));
    });
    harness.worker.on('completed', (job) => (held -= sizes.get(job.id!) ?? 0));
    const users = (k: number, n: number) =>
      Array.from({ length: n }, (_, i) =>
        sampleJob('State.StateChange', {
          Info: { Action: 'Login', To_Account: `held${k}-${i}`, Reason: 'Register' },
        }),
      );
    const batches = [];
    for (let k = 0; k < 12; k++) batches.push(await addBatch(harness, users(k, 4)));
    void harness.worker.run();
    for (const job of batches) expect((await harness.done(job)).err).to.equal(undefined);
    // 8 jobs of 4 would be 32 callbacks: the worker holds about two batches at a time
    expect(most).to.be.within(4, 12);
    // jobs of one callback get the whole limit
    most = 0;
    await harness.queue.pause();
    const singles = [];
    for (const callback of users(99, 24)) singles.push(await harness.add(callback));
    await harness.queue.resume();
    for (const job of singles) expect((await harness.done(job)).err).to.equal(undefined);
    expect(most).to.be.within(2, 9);
  });

  it('an envelope that is not a batch fails for good at once', async () => {
    harness = new WorkerHarness(store.db);
    for (const data of [{ v: 1, events: [] }, { v: 2, events: [sampleJob('State.StateChange')] }, null]) {
      const job = await harness.queue.add(SYNC_BATCH_JOB, data, { attempts: 3 });
      const { err } = await harness.done(job);
      expect(err?.name).to.equal('UnrecoverableError');
      expect(err?.message).to.match(/^invalid job: /);
    }
  });

  it('a transient fault of one callback retries the batch, and every callback ends applied', async () => {
    await withUsersLocked(store, async (db, unlock) => {
      try {
        harness = new WorkerHarness(db, 1);
        const duplicate = sampleJob('Profile.CallbackPortraitSet');
        const events = [sampleJob('Sns.CallbackFriendAdd'), sampleJob('State.StateChange')];
        await harness.queue.pause();
        const job = await addBatch(harness, [...events, duplicate]);
        // listed as a duplicate: still skipped on the retry (the stores hold the other two only)
        await harness.connection.hset(harness.queue.toKey(job.id!), BATCH_DUPLICATES_FIELD, '2');
        await harness.queue.resume();
        while (harness.failures.length === 0) await new Promise((r) => setTimeout(r, 20));
        await unlock();
        expect((await harness.done(job)).err).to.equal(undefined);
        const [first] = harness.failures;
        expect(first!.err!.name).not.to.equal('UnrecoverableError');
        expect(first!.err!.message).to.match(
          /^1 of 3 callbacks failed: #1 State\.StateChange: .*lock timeout/,
        );
        expect(await readStores(store.db)).to.deep.equal(StoreModel.of(events).stores());
      } finally {
        await harness?.close();
        harness = undefined;
      }
    });
  });
});
