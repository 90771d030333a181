import { expect } from 'chai';
import { SYNC_BATCH_JOB, type SyncBatchJobData, type SyncJobData } from '@imsync/callbacks';
import { CallbackBudget } from '../src/budget.js';
import { sampleJob } from './support/jobs.js';
import { openStore, type TestStore } from './support/store.js';
import { WorkerHarness } from './support/worker.js';

const users = (k: number, n: number): SyncJobData[] =>
  Array.from({ length: n }, (_, i) =>
    sampleJob('State.StateChange', {
      Info: { Action: 'Login', To_Account: `budget${k}-${i}`, Reason: 'Register' },
    }),
  );

describe('sync worker: the callback budget', function () {
  this.timeout(60_000);

  it('the job limit: the jobs held, plus what the callbacks left allow at the largest recent job size', () => {
    const worker = { concurrency: 256 };
    const budget = new CallbackBudget(256);
    budget.attach(worker);
    expect(worker.concurrency).to.equal(4, 'nothing seen yet: 4 jobs of up to 64');
    budget.take(1);
    expect(worker.concurrency).to.equal(
      1 + 4,
      'one small job among 64 unknown: still 4 unknown jobs at most',
    );
    budget.take(64);
    expect(worker.concurrency).to.equal(2 + 3);
    for (let i = 0; i < 191; i++) budget.take(1);
    expect(worker.concurrency).to.equal(193, '256 callbacks held: no job of unknown size');
    budget.take(1);
    expect(worker.concurrency).to.equal(193, 'over the limit: one below the jobs held, no slot refilled');
    budget.give(64);
    expect(worker.concurrency).to.equal(193 + 63, 'the latest 64 jobs were small: room for 63 small ones');
    budget.take(200);
    expect(worker.concurrency).to.equal(
      193,
      'a larger job than any seen: over the limit, the largest size grows',
    );
    for (let i = 0; i < 193; i++) budget.give(1);
    budget.give(200);
    expect(worker.concurrency).to.equal(2, '256 / 200: the next jobs may be as large as the latest largest');
    for (let i = 0; i < 64; i++) budget.take(1);
    for (let i = 0; i < 64; i++) budget.give(1);
    expect(worker.concurrency).to.equal(256, '64 small jobs in a row: room for 256 small ones');
    for (let i = 0; i < 400; i++) budget.take(1);
    budget.give(1);
    expect(worker.concurrency).to.equal(398, 'over the limit: one below the jobs held');
    for (let i = 0; i < 399; i++) budget.give(1);
    expect(worker.concurrency).to.equal(256, 'nothing held: room for 256 small ones');
  });

  it('a job that has run counts until BullMQ has chosen its next job, or has moved it on', async () => {
    const worker = { concurrency: 0 };
    const budget = new CallbackBudget(256);
    budget.attach(worker);
    for (let i = 0; i < 4; i++) budget.take(64);
    budget.finished('a', 64);
    budget.finished('b', 64);
    expect(worker.concurrency).to.equal(4, 'within the limit: their slots may go to the next jobs');
    budget.movedOn('a');
    budget.movedOn('b');
    budget.take(64);
    budget.take(64);
    expect(worker.concurrency).to.equal(4, 'both moved on and replaced: 4 full batches held');
    budget.take(64);
    expect(worker.concurrency).to.equal(4, 'one over: one below the 5 held');
    await new Promise((resolve) => setImmediate(resolve));
    expect(worker.concurrency).to.equal(4, 'a and b given back: still 5 held, one over');
  });

  describe('a worker started on a backlog (real Redis and PostgreSQL)', () => {
    let store: TestStore;
    let harness: WorkerHarness | undefined;
    before(async () => (store = await openStore('sync_budget', 4)));
    after(async () => store.close());
    afterEach(async () => {
      await harness?.close();
      harness = undefined;
    });

    /** Runs the worker on the jobs queued; the most callbacks and jobs it held at once (fetched, not done). */
    const heldWhileDraining = async (h: WorkerHarness, jobs: number) => {
      let [callbacks, held, mostCallbacks, mostJobs, done] = [0, 0, 0, 0, 0];
      const sizes = new Map<string, number>();
      // 'active' is emitted as soon as BullMQ has fetched a job, before the processor sees it
      h.worker.on('active', (job) => {
        const size = job.name === SYNC_BATCH_JOB ? (job.data as SyncBatchJobData).events.length : 1;
        sizes.set(job.id!, size);
        mostCallbacks = Math.max(mostCallbacks, (callbacks += size));
        mostJobs = Math.max(mostJobs, ++held);
      });
      const finished = new Promise<void>((resolve) =>
        h.worker.on('completed', (job) => {
          callbacks -= sizes.get(job.id!)!;
          held--;
          if (++done === jobs) resolve();
        }),
      );
      void h.worker.run();
      await finished;
      return { mostCallbacks, mostJobs };
    };

    it('holds 4 full batches from its first fetch (WORKER_CONCURRENCY 256)', async () => {
      harness = new WorkerHarness(store.db, 256, { autorun: false });
      const batches = Array.from({ length: 24 }, (_, k) => ({
        name: SYNC_BATCH_JOB,
        data: { v: 1, events: users(k, 64) } satisfies SyncBatchJobData,
      }));
      await harness.queue.addBulk(batches);
      const { mostJobs, mostCallbacks } = await heldWhileDraining(harness, batches.length);
      expect(mostJobs).to.be.within(1, 4);
      expect(mostCallbacks).to.be.at.most(256);
    });

    it('a small job first does not open the door to a burst of full batches', async () => {
      harness = new WorkerHarness(store.db, 256, { autorun: false });
      const single = { name: 'State.StateChange', data: users(999, 1)[0]! };
      const batches = Array.from({ length: 24 }, (_, k) => ({
        name: SYNC_BATCH_JOB,
        data: { v: 1, events: users(k, 64) } satisfies SyncBatchJobData,
      }));
      await harness.queue.addBulk([single, ...batches]);
      const { mostCallbacks } = await heldWhileDraining(harness, batches.length + 1);
      // the limit and at most one job's worth over it
      expect(mostCallbacks).to.be.at.most(256 + 64);
    });
  });
});
