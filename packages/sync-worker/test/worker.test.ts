import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { eventually, TcpProxy, TEST_DATABASE_URL } from '@imsync/testing';
import { createPool } from '../src/db.js';
import { executeLiterally } from '../src/statements.js';
import { isStoreUnavailable } from '../src/store-gate.js';
import { StoreModel } from './model/model.js';
import { jobOf, sampleJob } from './support/jobs.js';
import { readStores, oneRow } from './support/read.js';
import { openStore, type TestStore } from './support/store.js';
import { withUsersLocked } from './support/lock.js';
import { WorkerHarness } from './support/worker.js';

describe('sync worker (BullMQ on Redis, PostgreSQL)', function () {
  this.timeout(60_000);
  let store: TestStore;
  let harness: WorkerHarness | undefined;
  before(async () => (store = await openStore('sync_worker', 8)));
  after(async () => store.close());
  beforeEach(async () => store.truncate());
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('applies a job and completes it with what it did', async () => {
    harness = new WorkerHarness(store.db);
    const job = await harness.add(sampleJob('State.StateChange'));
    const { err } = await harness.done(job);
    expect(err).to.equal(undefined);
    const finished = (await harness.queue.getJob(job.id!))!;
    expect(await finished.getState()).to.equal('completed');
    expect(finished.returnvalue).to.deep.equal({ applied: true });
    expect(await oneRow(store.db, 'users', { user_id: 'testuser316' })).to.include({
      online_status: 'Online',
    });
  });

  it('a transient fault (a lock held past lock_timeout) is retried with backoff, then succeeds', async () => {
    await withUsersLocked(store, async (db, unlock) => {
      try {
        harness = new WorkerHarness(db, 1);
        const job = await harness.add(sampleJob('State.StateChange'), {
          backoff: { type: 'exponential', delay: 300 },
        });
        // the first attempt fails on the lock, and is not the last
        while (harness.failures.length === 0) await new Promise((r) => setTimeout(r, 20));
        await unlock();
        const { err, at } = await harness.done(job);
        expect(err).to.equal(undefined);
        const [first] = harness.failures;
        expect(first!.err!.name).not.to.equal('UnrecoverableError');
        expect((first!.err as Error & { code?: string }).code).to.equal('55P03'); // lock_not_available
        expect(first!.err!.message).to.match(/lock timeout/);
        expect(harness.failures).to.have.length(1);
        expect(at - first!.at, 'the retry waited for the backoff').to.be.at.least(280);
        const finished = (await harness.queue.getJob(job.id!))!;
        expect(await finished.getState()).to.equal('completed');
        expect(finished.attemptsStarted).to.equal(2);
        expect(await oneRow(store.db, 'users', { user_id: 'testuser316' })).to.include({
          online_status: 'Online',
        });
      } finally {
        await harness?.close();
        harness = undefined;
      }
    });
  });

  it('PostgreSQL refusing connections costs no attempt: no job is taken until it answers, then all apply', async () => {
    const target = new URL(TEST_DATABASE_URL);
    const proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
    await proxy.cut(); // nothing listens on the proxy's port: connections are refused
    const url = new URL(TEST_DATABASE_URL);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    const db = createPool(url.toString(), store.schema, 2);
    try {
      harness = new WorkerHarness(db, 4, { storeProbeMs: 50 });
      const users = Array.from({ length: 6 }, (_, i) =>
        sampleJob('State.StateChange', {
          Info: { Action: 'Login', To_Account: `away${i}`, Reason: 'Register' },
        }),
      );
      const jobs = await Promise.all(users.map((u) => harness!.add(u, { attempts: 2 })));
      await eventually(() => harness!.worker.isPaused(), 10_000, 'the worker stops taking jobs');
      // the jobs are back on the wait list, none active, no attempt counted; and they stay so
      await new Promise((r) => setTimeout(r, 300));
      expect(await harness.queue.getJobCounts('wait', 'active', 'failed', 'delayed')).to.deep.equal({
        wait: 6,
        active: 0,
        failed: 0,
        delayed: 0,
      });
      for (const job of await harness.queue.getJobs(['wait'])) expect(job.attemptsMade).to.equal(0);
      await proxy.open();
      for (const job of jobs) expect((await harness.done(job)).err).to.equal(undefined);
      expect(harness.failures).to.deep.equal([]);
      expect(harness.worker.isPaused()).to.equal(false);
      for (const job of jobs) expect((await harness.queue.getJob(job.id!))!.attemptsMade).to.equal(1);
    } finally {
      await harness?.close();
      harness = undefined;
      await db.end();
      await proxy.close();
    }
  });

  it('a connection cut while a client is checked out fails the query, and never the process', async () => {
    const target = new URL(TEST_DATABASE_URL);
    const proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
    const url = new URL(TEST_DATABASE_URL);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    const db = createPool(url.toString(), store.schema, 1);
    try {
      const sent = executeLiterally(db, [{ sql: 'SELECT pg_sleep(5)', params: [] }]);
      const settled = sent.then(
        () => undefined,
        (err: unknown) => err,
      );
      await new Promise((r) => setTimeout(r, 300));
      await proxy.cut(); // the client's socket closes mid-query: pg emits 'error' on the client
      const err = await settled;
      expect(err, 'the query failed').to.be.instanceOf(Error);
      expect((err as Error).message).to.match(/Connection terminated/);
      expect(isStoreUnavailable(err)).to.equal(true);
      // the pool is usable again once the server is
      await proxy.open();
      await executeLiterally(db, [{ sql: 'SELECT 1', params: [] }]);
    } finally {
      await db.end();
      await proxy.close();
    }
  });

  const invalid: [string, () => { data: ReturnType<typeof jobOf>; name?: string }, RegExp][] = [
    [
      'a body the catalog refuses',
      () => ({ data: jobOf('State.StateChange', { Info: { Action: ' ' } }) }),
      /invalid job: .*Info\.Action.*Info\.To_Account/,
    ],
    [
      'an envelope of another version',
      () => ({ data: { ...sampleJob('State.StateChange'), v: 2 as 1 } }),
      /invalid job: unsupported envelope version 2/,
    ],
    [
      'a job named after another command',
      () => ({ data: sampleJob('State.StateChange'), name: 'Sns.CallbackFriendAdd' }),
      /invalid job: job name Sns\.CallbackFriendAdd differs from its command State\.StateChange/,
    ],
    [
      'a command that is not synced',
      () => ({ data: jobOf('Group.CallbackBeforeSendMsg', {}) }),
      /invalid job: not a synced command: Group\.CallbackBeforeSendMsg/,
    ],
    [
      'a NUL character (the contract refuses it: PostgreSQL could not store it)',
      () => ({ data: sampleJob('Group.CallbackAfterGroupInfoChanged', { Name: 'a\u0000b' }) }),
      /invalid job: Name must not contain a NUL character/,
    ],
    [
      'an account too long for its index (the contract refuses it: no Tencent ID is that long)',
      () => ({
        data: sampleJob('Sns.CallbackBlackListAdd', {
          PairList: [{ From_Account: 'a', To_Account: randomBytes(15_000).toString('hex') }],
        }),
      }),
      /invalid job: PairList\[0\]\.To_Account must be at most 128 characters/,
    ],
  ];
  for (const [what, make, reason] of invalid) {
    it(`${what}: fails at once with UnrecoverableError, no retry, the reason kept`, async () => {
      harness = new WorkerHarness(store.db);
      const { data, name } = make();
      const job = await harness.add(data, { attempts: 10 }, name);
      const { err } = await harness.done(job);
      expect(err?.name).to.equal('UnrecoverableError');
      const failed = (await harness.queue.getJob(job.id!))!;
      expect(await failed.getState()).to.equal('failed');
      expect(failed.attemptsMade).to.equal(1);
      expect(failed.failedReason).to.match(reason);
      expect(harness.failures).to.have.length(1);
    });
  }

  it('a skipped event completes with its reason as the return value', async () => {
    harness = new WorkerHarness(store.db);
    const job = await harness.add(sampleJob('Group.CallbackAfterTopicInfoChanged'));
    await harness.done(job);
    const finished = (await harness.queue.getJob(job.id!))!;
    expect(await finished.getState()).to.equal('completed');
    expect(finished.returnvalue).to.deep.equal({
      skipped: 'no TopicId in the event: the topic cannot be identified',
    });
  });

  it('many concurrent jobs on one group: no deadlock, no retry, the stores as if applied in time order', async () => {
    harness = new WorkerHarness(store.db, 8);
    const G = '@TGS#busy';
    const users = Array.from({ length: 12 }, (_, i) => `u${String(i).padStart(2, '0')}`);
    const T = 1_700_000_000_000;
    const at = (i: number) => ({ GroupId: G, Type: 'Public', EventTime: T + i });
    const members = (us: string[]) => us.map((Member_Account) => ({ Member_Account }));
    const jobs = [
      jobOf('Group.CallbackAfterCreateGroup', {
        ...at(0),
        Operator_Account: 'u00',
        Owner_Account: 'u00',
        Name: 'busy',
        MemberList: members(users.slice(0, 6).reverse()),
      }),
      ...users.map((u, i) =>
        jobOf('Group.CallbackAfterNewMemberJoin', {
          ...at(1 + i),
          JoinType: 'Apply',
          NewMemberList: members([u, users[(i + 5) % 12]!]),
        }),
      ),
      ...users.map((u, i) =>
        jobOf('Group.CallbackAfterMemberFieldChanged', {
          ...at(2 + i),
          Member_Account: u,
          Role: i % 2 ? 'Admin' : 'Member',
          NameCard: `card${i}`,
        }),
      ),
      ...users.map((u, i) =>
        jobOf('Group.CallbackOnMemberStateChange', {
          ...at(3 + i),
          EventType: 'Online',
          MemberList: members([users[11 - i]!, u]),
        }),
      ),
      ...users.slice(0, 6).map((u, i) =>
        jobOf('Group.CallbackAfterChangeGroupOwner', {
          ...at(4 + i),
          OldOwner_Account: u,
          NewOwner_Account: users[i + 6]!,
        }),
      ),
      ...users.slice(6).map((u, i) =>
        jobOf('Group.CallbackAfterMemberExit', {
          ...at(20 + i),
          ExitType: 'Quit',
          ExitMemberList: members([u, users[i]!]),
        }),
      ),
      ...[0, 1, 2, 3].map((i) =>
        jobOf('Group.CallbackAfterGroupAttrChanged', {
          ...at(5 + i),
          OptionType: i === 2 ? 'delete' : 'modify',
          GroupAttr: [{ key: `k${i % 2}`, value: `v${i}` }],
        }),
      ),
      ...[0, 1, 2].map((i) =>
        jobOf('Group.CallbackAfterSendMsg', { ...at(6 + i), From_Account: users[i]!, MsgSeq: 10 + i }),
      ),
      ...[0, 1].map((i) =>
        jobOf('Group.CallbackAfterCreateTopic', { ...at(7 + i), TopicId: `${G}@TOPIC#_${i}`, Name: `t${i}` }),
      ),
      jobOf('Group.CallbackAfterGroupDestroyed', { ...at(15) }),
      jobOf('Group.CallbackAfterCreateGroup', {
        ...at(18),
        Operator_Account: 'u11',
        Owner_Account: 'u11',
        Name: 'again',
        MemberList: members(users.slice(3, 9)),
      }),
      jobOf('Group.CallbackAfterGroupDestroyed', { ...at(30) }),
      jobOf('Group.CallbackAfterCreateGroup', {
        ...at(31),
        Operator_Account: 'u01',
        Name: 'third',
        MemberList: members(users),
      }),
    ];
    // reversed (every event late), each twice
    const added = [];
    for (const data of [...jobs].reverse().flatMap((j) => [j, j])) added.push(await harness.add(data));
    const outcomes = await Promise.all(added.map((j) => harness!.done(j)));
    expect(harness.failures.map((f) => f.err?.message)).to.deep.equal([]);
    expect(outcomes.every((o) => o.err === undefined)).to.equal(true);
    expect(await readStores(store.db)).to.deep.equal(StoreModel.of(jobs).stores());
  });
});
