import { expect } from 'chai';
import fc from 'fast-check';
import { applySnapshot } from '../../src/backfill/apply-snapshot.js';
import type { Db } from '../../src/db.js';
import { APPS, USERS } from '../model/history.js';
import { StoreModel } from '../model/model.js';
import { lossyDeliveryArb, mixedDeliveryArb, type Delivered } from '../model/snapshot-history.js';
import { applyJob } from '../support/jobs.js';
import { readStores, type Row, type Stores } from '../support/read.js';
import { openStore, type TestStore } from '../support/store.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 200);
const CONCURRENCY = 4;

/** Delivers callbacks and snapshots `concurrency` at a time, each in its own transaction. */
async function deliver(db: Db, items: readonly Delivered[], concurrency: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      if ('job' in item) await applyJob(db, item.job);
      else await applySnapshot(db, item.snapshot);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

const pick = (row: Row, columns: readonly string[]) => Object.fromEntries(columns.map((c) => [c, row[c]]));

/**
 * What a sweep can observe of Tencent's state, from the documented tables: live groups and their fields,
 * memberships in force, live topics, users' online state and profile tags, friend and blocked pairs.
 */
function observable(s: Stores) {
  const users = new Map(s.users.map((u) => [`${u.sdk_app_id}/${u.user_id}`, u]));
  // a random history can join members to a destroyed group; in Tencent a group that is gone has none
  const live = new Set(s.active_groups.map((g) => `${g.sdk_app_id}/${g.group_id}`));
  return {
    groups: s.active_groups.map((g) =>
      pick(g, [
        'sdk_app_id',
        'group_id',
        'type',
        'name',
        'introduction',
        'notification',
        'face_url',
        'owner_account',
        'attributes',
      ]),
    ),
    members: s.active_group_members
      .filter((m) => live.has(`${m.sdk_app_id}/${m.group_id}`))
      .map((m) => pick(m, ['sdk_app_id', 'group_id', 'member_account', 'role', 'name_card'])),
    topics: s.topics
      .filter((t) => t.destroyed_at === null && live.has(`${t.sdk_app_id}/${t.group_id}`))
      .map((t) =>
        pick(t, ['sdk_app_id', 'group_id', 'topic_id', 'name', 'introduction', 'notification', 'face_url']),
      ),
    users: APPS.flatMap((app) =>
      USERS.map((id) => {
        const u = users.get(`${app}/${id}`);
        return { app, id, online: u?.online_status ?? 'Offline', profile: u?.profile ?? {} };
      }),
    ),
    friends: s.friendships
      .filter((f) => f.status === 'friend')
      .map((f) => pick(f, ['sdk_app_id', 'from_account', 'to_account'])),
    blocked: s.blocklist
      .filter((f) => f.status === 'blocked')
      .map((f) => pick(f, ['sdk_app_id', 'from_account', 'to_account'])),
  };
}

describe('snapshots and callbacks (property, against PostgreSQL)', function () {
  this.timeout(600_000);
  let store: TestStore;
  before(async () => (store = await openStore('snapshots', CONCURRENCY)));
  after(async () => store.close());

  it(`${RUNS} random histories of callbacks and snapshots of Tencent's state, shuffled, duplicated, ${CONCURRENCY} at a time: the stores equal every event applied once in time order`, async () => {
    let withSnapshots = 0;
    await fc.assert(
      fc.asyncProperty(mixedDeliveryArb, async ({ history, snapshots, delivery }) => {
        await store.truncate();
        await deliver(store.db, delivery, CONCURRENCY);
        expect(await readStores(store.db)).to.deep.equal(StoreModel.of(history, snapshots).stores());
        if (snapshots.length > 0) withSnapshots++;
      }),
      { numRuns: RUNS },
    );
    expect(withSnapshots).to.be.at.least(Math.ceil(RUNS / 2));
  });

  const LOSSY_RUNS = Math.max(1, Math.round(RUNS / 2));
  it(`${LOSSY_RUNS} histories with callbacks lost, and a final snapshot of every entity: the stores equal Tencent's state`, async () => {
    await fc.assert(
      fc.asyncProperty(lossyDeliveryArb, async ({ history, delivery }) => {
        await store.truncate();
        await deliver(store.db, delivery, CONCURRENCY);
        const tencent = StoreModel.of(history).stores();
        expect(observable(await readStores(store.db))).to.deep.equal(observable(tencent));
      }),
      { numRuns: LOSSY_RUNS },
    );
  });
});
