import { expect } from 'chai';
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '@imsync/testing';
import { RECONCILE_QUEUE, ReconcileMetrics, startReconcile } from '../../src/backfill/reconcile.js';
import type { SweepSummary } from '../../src/backfill/sweep.js';
import { StoreModel } from '../model/model.js';
import { jobOf } from '../support/jobs.js';
import { readStore } from '../support/read.js';
import { openStore, type TestStore } from '../support/store.js';
import { ModelSource } from './model-source.js';

const APP = 1400000001;

describe('reconcile (BullMQ job scheduler on real Redis, PostgreSQL)', function () {
  this.timeout(60_000);
  let store: TestStore;
  const prefix = uniquePrefix('reconcile');
  const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  before(async () => (store = await openStore('reconcile')));
  after(async () => {
    await store.close();
    await connection.quit();
    await deletePrefix(prefix);
  });

  it('two workers, one schedule: sweeps never overlap, each returns its summary, repairs are counted in the metrics', async () => {
    const tencent = StoreModel.of([
      jobOf(
        'Group.CallbackAfterCreateGroup',
        {
          GroupId: 'g1',
          Type: 'Public',
          Name: 'one',
          Operator_Account: 'u1',
          Owner_Account: 'u1',
          MemberList: [],
          EventTime: Date.UTC(2024, 0, 1),
        },
        { sdkAppId: APP },
      ),
    ]);
    let active = 0;
    let most = 0;
    const registry = new Registry();
    const metrics = new ReconcileMetrics(registry);
    const deps = {
      db: store.db,
      connection,
      prefix,
      apps: [APP],
      intervalMs: 150,
      marginMs: 10_000,
      metrics,
      logger: pino({ level: 'silent' }),
      createSource: async () => {
        most = Math.max(most, ++active);
        const source = new ModelSource(tencent, APP);
        // slow enough that a second worker would start a sweep meanwhile if it could
        const slow = source.groupIdPage.bind(source);
        source.groupIdPage = async (next: number) => {
          await new Promise((r) => setTimeout(r, 300));
          return slow(next);
        };
        return Object.assign(source, { close: () => void active-- });
      },
    };
    const events = new QueueEvents(RECONCILE_QUEUE, { connection, prefix });
    const summaries: SweepSummary[] = [];
    const three = new Promise<void>((resolve) =>
      events.on('completed', ({ returnvalue }) => {
        summaries.push(returnvalue as unknown as SweepSummary);
        if (summaries.length === 3) resolve();
      }),
    );
    await events.waitUntilReady();
    const a = await startReconcile(deps);
    const b = await startReconcile(deps);
    try {
      await three;
    } finally {
      await a.close();
      await b.close();
      await events.close();
    }
    expect(most).to.equal(1);
    expect(summaries[0]?.sdkAppId).to.equal(APP);
    expect(summaries.map((s) => s.changes.groups?.inserted ?? 0).reduce((x, y) => x + y)).to.equal(1);
    expect((await readStore(store.db, 'active_groups')).map((g) => g.group_id)).to.deep.equal(['g1']);
    const text = await registry.metrics();
    expect(text).to.match(/imsync_reconcile_changes_total\{table="groups",change="inserted"\} 1/);
    expect(text).to.match(/imsync_reconcile_last_complete_timestamp_seconds\{sdk_app_id="1400000001"\} \d/);
    const schedulers = await a.queue.getJobSchedulers();
    expect(schedulers.map((s) => s.key)).to.deep.equal([`reconcile:${APP}`]);
  });
});
