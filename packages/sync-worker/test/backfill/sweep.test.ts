import { expect } from 'chai';
import fc from 'fast-check';
import { PARTS } from '../../src/backfill/checkpoint.js';
import { runSweep, type SweepOptions } from '../../src/backfill/sweep.js';
import { APPS } from '../model/history.js';
import { StoreModel } from '../model/model.js';
import { applyAll, jobOf } from '../support/jobs.js';
import { readStores } from '../support/read.js';
import { openStore, type TestStore } from '../support/store.js';
import { ModelSource } from './model-source.js';

const APP = APPS[0];
const T = Date.UTC(2024, 0, 1);

/** Tencent's state: a few groups (one destroyed), members, attributes, profiles, friends, blocks. */
function tencentHistory() {
  const at = (ms: number) => ({ EventTime: T + ms });
  return [
    jobOf(
      'Group.CallbackAfterCreateGroup',
      {
        GroupId: 'g1',
        Type: 'Public',
        Name: 'one',
        Operator_Account: 'u1',
        Owner_Account: 'u1',
        MemberList: [{ Member_Account: 'u2' }],
        ...at(1),
      },
      { sdkAppId: APP },
    ),
    jobOf(
      'Group.CallbackAfterCreateGroup',
      {
        GroupId: 'g2',
        Type: 'Work',
        Name: 'two',
        Operator_Account: 'u2',
        Owner_Account: 'u2',
        MemberList: [{ Member_Account: 'u3' }],
        ...at(2),
      },
      { sdkAppId: APP },
    ),
    jobOf(
      'Group.CallbackAfterCreateGroup',
      {
        GroupId: 'g3',
        Type: 'Public',
        Name: 'three',
        Operator_Account: 'u3',
        Owner_Account: 'u3',
        MemberList: [],
        ...at(3),
      },
      { sdkAppId: APP },
    ),
    jobOf(
      'Group.CallbackAfterNewMemberJoin',
      { GroupId: 'g1', NewMemberList: [{ Member_Account: 'u4' }], ...at(4) },
      { sdkAppId: APP },
    ),
    jobOf(
      'Group.CallbackAfterMemberExit',
      { GroupId: 'g1', ExitType: 'Quit', ExitMemberList: [{ Member_Account: 'u2' }], ...at(5) },
      { sdkAppId: APP },
    ),
    jobOf(
      'Group.CallbackAfterGroupAttrChanged',
      { GroupId: 'g2', OptionType: 'set', GroupAttr: [{ key: 'k', value: 'v' }], ...at(6) },
      { sdkAppId: APP },
    ),
    jobOf('Group.CallbackAfterGroupDestroyed', { GroupId: 'g3', ...at(7) }, { sdkAppId: APP }),
    jobOf(
      'Profile.CallbackPortraitSet',
      { From_Account: 'u5', ProfileItem: [{ Tag: 'Tag_Profile_IM_Nick', Value: 'five' }], ...at(8) },
      { sdkAppId: APP },
    ),
    jobOf(
      'Sns.CallbackFriendAdd',
      { PairList: [{ From_Account: 'u1', To_Account: 'u5' }], ...at(9) },
      { sdkAppId: APP },
    ),
    jobOf(
      'Sns.CallbackBlackListAdd',
      { PairList: [{ From_Account: 'u4', To_Account: 'u1' }], ...at(10) },
      { sdkAppId: APP },
    ),
    jobOf('State.StateChange', { Info: { Action: 'Login', To_Account: 'u3' }, ...at(11) }, { sdkAppId: APP }),
  ];
}

describe('backfill sweep (against PostgreSQL, Tencent as a model)', function () {
  this.timeout(60_000);
  let store: TestStore;
  before(async () => (store = await openStore('sweep')));
  after(async () => store.close());
  beforeEach(async () => {
    await store.truncate();
    await store.db.query('TRUNCATE sweep_checkpoints');
  });

  const options: SweepOptions = {
    sdkAppId: APP,
    sweep: 'backfill',
    parts: PARTS,
    marginMs: 10_000,
    users: ['u5'],
  };
  const groupsOf = (rows: Record<string, unknown>[]) => rows.map((g) => [g.group_id, g.name]);

  it('into empty stores: the groups, members, attributes, profiles, friends and blocks of Tencent', async () => {
    const tencent = StoreModel.of(tencentHistory());
    const summary = await runSweep(store.db, new ModelSource(tencent, APP), options);
    const s = await readStores(store.db);
    expect(groupsOf(s.active_groups)).to.deep.equal([
      ['g1', 'one'],
      ['g2', 'two'],
    ]);
    expect(s.active_group_members.map((m) => [m.group_id, m.member_account, m.role])).to.deep.equal([
      ['g1', 'u1', 'Owner'],
      ['g1', 'u4', 'Member'],
      ['g2', 'u2', 'Owner'],
      ['g2', 'u3', 'Member'],
    ]);
    expect(s.groups.find((g) => g.group_id === 'g2')?.attributes).to.deep.equal({ k: 'v' });
    expect(s.users.find((u) => u.user_id === 'u5')?.profile).to.deep.equal({ Tag_Profile_IM_Nick: 'five' });
    expect(s.users.find((u) => u.user_id === 'u3')?.online_status).to.equal('Online');
    expect(s.friendships.map((f) => [f.from_account, f.to_account, f.status])).to.deep.equal([
      ['u1', 'u5', 'friend'],
    ]);
    expect(s.blocklist.map((f) => [f.from_account, f.to_account, f.status])).to.deep.equal([
      ['u4', 'u1', 'blocked'],
    ]);
    expect(summary.resumed).to.equal(false);
    expect(summary.changes.groups?.inserted).to.equal(2);
    expect(summary.changes.group_members?.inserted).to.equal(4);
    expect(summary.calls).to.be.greaterThan(0);
  });

  it('repairs what callbacks missed: a group gone, a member gone, a friend gone; then a second run changes nothing', async () => {
    const history = tencentHistory();
    // the stores saw every callback but the destroy of g3, the exit of u2 and a friend delete
    const lost = jobOf(
      'Sns.CallbackFriendDelete',
      { PairList: [{ From_Account: 'u1', To_Account: 'u5' }], EventTime: T + 12 },
      { sdkAppId: APP },
    );
    await applyAll(
      store.db,
      history.filter(
        (j) => !['Group.CallbackAfterGroupDestroyed', 'Group.CallbackAfterMemberExit'].includes(j.command),
      ),
    );
    const tencent = StoreModel.of([...history, lost]);
    const first = await runSweep(store.db, new ModelSource(tencent, APP), options);
    const s = await readStores(store.db);
    expect(groupsOf(s.active_groups)).to.deep.equal([
      ['g1', 'one'],
      ['g2', 'two'],
    ]);
    const u2 = s.group_members.find((m) => m.group_id === 'g1' && m.member_account === 'u2');
    expect([u2?.status, u2?.exit_type]).to.deep.equal(['left', 'Reconciled']);
    expect(s.friendships.map((f) => f.status)).to.deep.equal(['removed']);
    expect(first.changes.groups?.ended).to.equal(1);
    expect(first.changes.group_members?.ended).to.be.at.least(1);
    expect(first.changes.friendships?.ended).to.equal(1);
    const again = await runSweep(store.db, new ModelSource(tencent, APP), options);
    expect(again.resumed).to.equal(false);
    for (const [table, c] of Object.entries(again.changes))
      expect(c, table).to.deep.equal({ inserted: 0, changed: 0, ended: 0 });
    expect(await readStores(store.db)).to.deep.equal(s);
  });

  it('interrupted (Tencent unreachable) after any number of calls, the same command resumes and ends as a whole run', async () => {
    const tencent = StoreModel.of(tencentHistory());
    await runSweep(store.db, new ModelSource(tencent, APP), options);
    const whole = await readStores(store.db);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 40 }), async (failAfter) => {
        await store.truncate();
        await store.db.query('TRUNCATE sweep_checkpoints');
        const source = new ModelSource(tencent, APP);
        source.failAfter = failAfter;
        const first = await runSweep(store.db, source, options).then(
          () => 'finished',
          (e: Error) => e.message,
        );
        source.heal();
        const second = await runSweep(store.db, source, options);
        if (first !== 'finished') expect(second.resumed).to.equal(true);
        expect(await readStores(store.db)).to.deep.equal(whole);
      }),
      { numRuns: 15, examples: [[0], [1]] },
    );
  });

  it('--only: just the parts chosen', async () => {
    const tencent = StoreModel.of(tencentHistory());
    await runSweep(store.db, new ModelSource(tencent, APP), { ...options, parts: ['groups'] });
    const s = await readStores(store.db);
    expect(s.active_groups).to.have.length(2);
    expect(s.group_members).to.deep.equal([]);
    expect(s.users).to.deep.equal([]);
  });
});
