import { expect } from 'chai';
import fc from 'fast-check';
import { SYNCED_COMMANDS, type SyncJobData } from '@imsync/callbacks';
import type { Db } from '../../src/db.js';
import { GroupCommitter, type Executor } from '../../src/statements.js';
import { Coverage } from '../model/coverage.js';
import { deliveryArb } from '../model/history.js';
import { StoreModel } from '../model/model.js';
import { applyJob } from '../support/jobs.js';
import { readStores } from '../support/read.js';
import { openStore, type TestStore } from '../support/store.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 200);
const CONCURRENCY = 4;

/** Delivers jobs `concurrency` at a time through the pool, as a worker with that concurrency would. */
async function deliver(
  db: Db,
  jobs: readonly SyncJobData[],
  concurrency: number,
  executor?: Executor,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      await applyJob(db, job, job.command, executor);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

describe('order independence (property, against PostgreSQL)', function () {
  this.timeout(300_000);
  let store: TestStore;
  before(async () => (store = await openStore('property', CONCURRENCY)));
  after(async () => store.close());

  it(`${RUNS} random histories, shuffled, duplicated, ${CONCURRENCY} at a time: the stores equal the history applied once in time order`, async () => {
    const coverage = new Coverage();
    await fc.assert(
      fc.asyncProperty(deliveryArb, async ({ history, delivery }) => {
        await store.truncate();
        await deliver(store.db, delivery, CONCURRENCY);
        expect(await readStores(store.db)).to.deep.equal(StoreModel.of(history).stores());
        coverage.record(history, delivery);
      }),
      { numRuns: RUNS },
    );
    // the histories did exercise every synced command and every scenario of the model (a quick run with PROPERTY_RUNS < 100 skips this)
    if (RUNS < 100) return;
    if (process.env.SHOW_COVERAGE) console.log(coverage.counts);
    expect([...coverage.commands.keys()].sort()).to.deep.equal([...SYNCED_COMMANDS].sort());
    const minimum = Math.ceil(RUNS / 20);
    for (const [scenario, count] of Object.entries(coverage.counts)) {
      expect(count, `${scenario} in ${JSON.stringify(coverage.counts)}`).to.be.at.least(minimum);
    }
  });

  const GROUPED_RUNS = Math.max(1, Math.round(RUNS / 2));
  it(`${GROUPED_RUNS} more, ${CONCURRENCY * 4} at a time through the worker's group commit: the same stores`, async () => {
    const committer = new GroupCommitter(store.db, 64);
    await fc.assert(
      fc.asyncProperty(deliveryArb, async ({ history, delivery }) => {
        await store.truncate();
        await deliver(store.db, delivery, CONCURRENCY * 4, committer);
        expect(await readStores(store.db)).to.deep.equal(StoreModel.of(history).stores());
      }),
      { numRuns: GROUPED_RUNS },
    );
  });
});
