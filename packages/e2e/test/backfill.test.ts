import { expect } from 'chai';
import { callbackQuery, eventually, killAll, type FakeAppState } from '@imsync/testing';
import {
  afterCalls,
  backfillEnv,
  buildApp,
  expectedStores,
  parseSummary,
  readStores,
  runBackfill,
  SECRET_KEY,
  spawnBackfill,
  startFake,
  usersFile,
  type Stores,
} from './support/backfill.js';
import { sumOf } from './support/prometheus.js';
import { SDK_APP_ID, Stack } from './support/stack.js';

const APP = ['--app', String(SDK_APP_ID)];
const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };
const EMPTY: Stores = {
  groups: [],
  group_members: [],
  topics: [],
  users: [],
  friendships: [],
  blocklist: [],
};

/** The first group of `type` with a member besides its owner, and that member. */
function groupWithMember(state: FakeAppState, type: string, skip: readonly string[] = []) {
  for (const g of state.groups.values()) {
    if (g.Type !== type || skip.includes(g.GroupId)) continue;
    const member = [...g.members.values()].find((m) => m.Role !== 'Owner');
    if (member) return { group: g, account: member.Member_Account };
  }
  throw new Error(`the app has no ${type} group with a member besides its owner`);
}

/** The first pair in a user's list (friends or blocklist). */
function pairOf(state: FakeAppState, list: 'friends' | 'blocklist', skip: readonly string[] = []) {
  for (const u of state.users.values()) {
    if (skip.includes(u.account)) continue;
    const to = [...u[list].keys()][0];
    if (to) return { from: u.account, to };
  }
  throw new Error(`the app has no ${list} pair`);
}

describe('backfill: the real command against a fake Tencent REST server', function () {
  this.timeout(120_000);
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await killAll();
    await Promise.allSettled(
      open
        .splice(0)
        .reverse()
        .map((o) => o.close()),
    );
  });

  /** A fake serving a new app, stores of their own, and a users file naming every account. */
  async function setUp(
    app: { groups: number; users: number },
    stackOptions: Parameters<typeof Stack.start>[0] = {},
  ) {
    const state = buildApp(app);
    const fake = await startFake(SDK_APP_ID, state);
    open.push(fake);
    const stack = await Stack.start({ label: 'backfill', ingest: false, worker: false, ...stackOptions });
    open.push(stack);
    const file = await usersFile(state);
    open.push({ close: file.remove });
    const args = [...APP, '--users-file', file.path];
    return {
      state,
      fake,
      stack,
      args,
      env: (extra: Record<string, string> = {}) => backfillEnv(stack, fake, SDK_APP_ID, extra),
    };
  }

  it('into empty stores: the documented tables and views equal the fake app', async () => {
    const { state, stack, args, env, fake } = await setUp({ groups: 200, users: 100 });
    expect(await readStores(stack, SDK_APP_ID).catch(() => EMPTY)).to.deep.equal(EMPTY);
    const run = await runBackfill(args, env());
    expect(run.exit, run.stdout).to.deep.equal({ code: 0, signal: null });
    const stores = await readStores(stack, SDK_APP_ID);
    const expected = expectedStores(state);
    // the app holds every kind of thing the comparison covers
    expect(new Set(expected.groups.map((g) => g.type))).to.have.keys(
      'Public',
      'Private',
      'Work',
      'ChatRoom',
      'Meeting',
      'AVChatRoom',
      'Community',
    );
    for (const table of ['group_members', 'topics', 'users', 'friendships', 'blocklist'] as const)
      expect(expected[table], table).to.have.length.above(10);
    expect(stores).to.deep.equal(expected);
    const summary = parseSummary(run.stdout);
    expect(summary.resumed).to.equal(false);
    expect(summary.changes.groups?.inserted).to.equal(expected.groups.length);
    expect(summary.changes.group_members?.inserted).to.equal(expected.group_members.length);
    expect(summary.changes.friendships?.inserted).to.equal(expected.friendships.length);
    expect(summary.calls).to.equal(fake.calls.length);
  });

  it('while callbacks flow: a callback newer than the snapshot survives it, one older than the margin loses', async () => {
    const { state, fake, stack, args, env } = await setUp(
      { groups: 100, users: 60 },
      { ingest: true, worker: true },
    );
    const margin = 60_000;
    let posted = 0;
    const post = async (command: string, body: Record<string, unknown>) => {
      const res = await stack.post(
        callbackQuery({ sdkAppId: SDK_APP_ID, command, clientIp: '127.0.0.1', optPlatform: 'RESTAPI' }),
        { CallbackCommand: command, ...body },
      );
      expect(res.json, command).to.deep.equal(OK);
      posted++;
    };
    const applied = () =>
      eventually(
        async () => sumOf(await stack.metrics('sync-worker'), 'imsync_jobs_processed_total') >= posted,
        15_000,
        `the ${posted} callbacks applied`,
      );

    // Tencent (the fake) is stale: it knows none of the changes these callbacks report
    const renamed = groupWithMember(state, 'Public').group;
    const exit = groupWithMember(state, 'Private');
    const joinGroup = groupWithMember(state, 'Work').group;
    const reintroduced = groupWithMember(state, 'ChatRoom').group;
    const staleName = groupWithMember(state, 'Public', [renamed.GroupId]).group;
    const staleExit = groupWithMember(state, 'Private', [exit.group.GroupId]);
    const unfriended = pairOf(state, 'friends');
    const unblocked = pairOf(state, 'blocklist');
    const renick = [...state.users.keys()][5]!;
    const staleNick = [...state.users.keys()][6]!;

    const started = Date.now();
    const old = started - 10 * 60_000;
    // before the run: newer than any snapshot of it (its versions are its send time minus the margin) ...
    await post('Group.CallbackAfterGroupInfoChanged', {
      GroupId: renamed.GroupId,
      Type: 'Public',
      Operator_Account: renamed.Owner_Account,
      Name: 'renamed by a callback',
      EventTime: started,
    });
    await post('Group.CallbackAfterMemberExit', {
      GroupId: exit.group.GroupId,
      Type: 'Private',
      ExitType: 'Quit',
      Operator_Account: exit.account,
      ExitMemberList: [{ Member_Account: exit.account }],
      EventTime: started,
    });
    await post('Sns.CallbackFriendDelete', {
      PairList: [{ From_Account: unfriended.from, To_Account: unfriended.to }],
    });
    // ... and older than the margin: the snapshot overwrites them
    await post('Group.CallbackAfterGroupInfoChanged', {
      GroupId: staleName.GroupId,
      Type: 'Public',
      Operator_Account: staleName.Owner_Account,
      Name: 'a stale name',
      EventTime: old,
    });
    await post('Group.CallbackAfterMemberExit', {
      GroupId: staleExit.group.GroupId,
      Type: 'Private',
      ExitType: 'Kicked',
      Operator_Account: staleExit.group.Owner_Account,
      ExitMemberList: [{ Member_Account: staleExit.account }],
      EventTime: old,
    });
    await post('Profile.CallbackPortraitSet', {
      Operator_Account: staleNick,
      From_Account: staleNick,
      EventTime: old,
      ProfileItem: [{ Tag: 'Tag_Profile_IM_Nick', Value: 'a stale nick' }],
    });
    await applied();
    const before = await readStores(stack, SDK_APP_ID);
    expect(before.groups.find((g) => g.group_id === staleName.GroupId)?.name).to.equal('a stale name');
    expect(
      before.group_members.find(
        (m) => m.member_account === staleExit.account && m.group_id === staleExit.group.GroupId,
      )?.status,
    ).to.equal('left');

    const backfill = spawnBackfill(args, env({ RECONCILE_CLOCK_MARGIN_MS: String(margin) }));
    // during the run: newer callbacks, and an older one, whichever the snapshot of their entity meets first
    await afterCalls(fake, 40, backfill);
    const joinedAt = Date.now();
    await post('Group.CallbackAfterNewMemberJoin', {
      GroupId: joinGroup.GroupId,
      Type: 'Work',
      JoinType: 'Invited',
      Operator_Account: joinGroup.Owner_Account,
      NewMemberList: [{ Member_Account: 'latecomer' }],
      EventTime: joinedAt,
    });
    await post('Group.CallbackAfterGroupInfoChanged', {
      GroupId: reintroduced.GroupId,
      Type: 'ChatRoom',
      Operator_Account: reintroduced.Owner_Account,
      Introduction: 'changed during the backfill',
      EventTime: Date.now(),
    });
    await post('Profile.CallbackPortraitSet', {
      Operator_Account: renick,
      From_Account: renick,
      EventTime: Date.now(),
      ProfileItem: [{ Tag: 'Tag_Profile_IM_Nick', Value: 'nick of a callback' }],
    });
    await post('Sns.CallbackBlackListDelete', {
      PairList: [{ From_Account: unblocked.from, To_Account: unblocked.to }],
    });
    await post('Group.CallbackAfterGroupInfoChanged', {
      GroupId: renamed.GroupId,
      Type: 'Public',
      Operator_Account: renamed.Owner_Account,
      Notification: 'a stale notice',
      EventTime: old,
    });
    const exitStatus = await backfill.exited;
    expect(exitStatus, backfill.tail()).to.deep.equal({ code: 0, signal: null });
    await applied();

    const expected = expectedStores(state);
    const group = (id: string) => expected.groups.find((g) => g.group_id === id)!;
    const member = (id: string, account: string) =>
      expected.group_members.find((m) => m.group_id === id && m.member_account === account)!;
    group(renamed.GroupId).name = 'renamed by a callback';
    group(reintroduced.GroupId).introduction = 'changed during the backfill';
    Object.assign(member(exit.group.GroupId, exit.account), { status: 'left', exit_type: 'Quit' });
    expected.group_members.push({
      group_id: joinGroup.GroupId,
      member_account: 'latecomer',
      role: 'Member',
      name_card: null,
      status: 'joined',
      exit_type: null,
      joined_at: joinedAt,
    });
    expected.group_members.sort((a, b) =>
      a.group_id + '\n' + a.member_account < b.group_id + '\n' + b.member_account ? -1 : 1,
    );
    expected.users.find((u) => u.user_id === renick)!.profile.Tag_Profile_IM_Nick = 'nick of a callback';
    expected.friendships.find(
      (f) => f.from_account === unfriended.from && f.to_account === unfriended.to,
    )!.status = 'removed';
    expected.blocklist.find(
      (f) => f.from_account === unblocked.from && f.to_account === unblocked.to,
    )!.status = 'unblocked';
    expect(await readStores(stack, SDK_APP_ID)).to.deep.equal(expected);
  });

  it('killed halfway (SIGKILL), twice, the same command resumes and ends as a whole run; run again, it changes nothing', async () => {
    const { state, fake, stack, args, env } = await setUp({ groups: 100, users: 60 });
    const expected = expectedStores(state);
    const checkpoints = async () =>
      (
        await stack.query<{ part: string; done: boolean }>(
          'SELECT part, done FROM $schema.sweep_checkpoints ORDER BY part',
        )
      ).rows;
    // the first kill lands among the group parts, the second among the user parts
    for (const calls of [120, 480]) {
      const run = spawnBackfill(args, env());
      await afterCalls(fake, calls, run);
      run.signal('SIGKILL');
      expect(await run.exited).to.deep.equal({ code: null, signal: 'SIGKILL' });
      expect(
        (await checkpoints()).some((c) => !c.done),
        'a part left to do',
      ).to.equal(true);
      expect(await readStores(stack, SDK_APP_ID)).to.not.deep.equal(expected);
    }
    const resumed = await runBackfill(args, env());
    expect(resumed.exit, resumed.stdout).to.deep.equal({ code: 0, signal: null });
    expect(parseSummary(resumed.stdout).resumed).to.equal(true);
    const stores = await readStores(stack, SDK_APP_ID);
    expect(stores).to.deep.equal(expected);

    const again = await runBackfill(args, env());
    expect(again.exit, again.stdout).to.deep.equal({ code: 0, signal: null });
    const summary = parseSummary(again.stdout);
    expect(summary.resumed).to.equal(false);
    expect(summary.calls).to.be.above(0);
    expect(Object.keys(summary.changes)).to.have.members([
      'groups',
      'group_members',
      'topics',
      'users',
      'friendships',
      'blocklist',
    ]);
    for (const [table, c] of Object.entries(summary.changes))
      expect(c, table).to.deep.equal({ inserted: 0, changed: 0, ended: 0 });
    expect(await readStores(stack, SDK_APP_ID)).to.deep.equal(stores);
  });

  it('a rate-limit storm and a low limit midway: the client backs off, retries and still finishes right', async () => {
    const { state, fake, stack, args, env } = await setUp({ groups: 60, users: 40 });
    const run = spawnBackfill(args, env());
    await afterCalls(fake, 30, run);
    // a storm: the next calls, whenever they come, are refused; then a limit far below the client's pace
    fake.rateLimitStorm(6);
    await afterCalls(fake, 30 + 6, run);
    fake.setRateLimit(20);
    await afterCalls(fake, 100, run);
    fake.setRateLimit(undefined);
    expect(await run.exited, run.tail()).to.deep.equal({ code: 0, signal: null });
    const limited = fake.countCalls(undefined, 60018);
    // the storm's answers, and more while the limit held
    expect(limited).to.be.above(6);
    const summary = parseSummary(run.logs.map((l) => l.raw).join('\n'));
    expect(summary.retries, 'every rate-limited call retried').to.equal(limited);
    expect(summary.calls).to.equal(fake.calls.length);
    expect(await readStores(stack, SDK_APP_ID)).to.deep.equal(expectedStores(state));
  });

  it('every UserSig expires midway: the client renews it and finishes', async () => {
    const { state, fake, stack, args, env } = await setUp({ groups: 60, users: 40 });
    const run = spawnBackfill(args, env());
    await afterCalls(fake, 100, run);
    fake.expireSignatures();
    expect(await run.exited, run.tail()).to.deep.equal({ code: 0, signal: null });
    const firstExpired = fake.calls.findIndex((c) => c.code === 70001);
    expect(firstExpired, 'a call refused as expired').to.be.at.least(100);
    expect(fake.calls.slice(firstExpired).filter((c) => c.code === 0)).to.have.length.above(50);
    expect(await readStores(stack, SDK_APP_ID)).to.deep.equal(expectedStores(state));
  });

  for (const setting of ['IM_SECRET_KEY', 'IM_SECRET_KEYS'] as const)
    it(`a wrong secret key in ${setting}: a clear error naming it, and nothing written`, async () => {
      const { fake, stack, args, env } = await setUp({ groups: 20, users: 10 });
      const wrong = 'not-the-key-of-this-app';
      const keys: Record<string, string> =
        setting === 'IM_SECRET_KEY'
          ? { IM_SECRET_KEY: wrong }
          : { IM_SECRET_KEY: '', IM_SECRET_KEYS: `1400000999:${SECRET_KEY},${SDK_APP_ID}:${wrong}` };
      const run = await runBackfill(args, env(keys));
      expect(run.exit, run.stdout).to.deep.equal({ code: 78, signal: null });
      expect(run.stdout).to.include('configuration error').and.not.include('run the same command');
      expect(run.stdout).to.include(setting).and.include(String(SDK_APP_ID)).and.include('rejected');
      expect(run.stdout).to.not.include(wrong);
      expect(run.stdout).to.not.include(SECRET_KEY);
      expect(fake.countCalls(undefined, 0), 'calls answered OK').to.equal(0);
      expect(fake.calls.length).to.be.above(0);
      expect(await readStores(stack, SDK_APP_ID).catch(() => EMPTY)).to.deep.equal(EMPTY);
    });

  it('drift: what changed in Tencent without a callback is repaired by the next run', async () => {
    const { state, stack, args, env } = await setUp({ groups: 60, users: 40 });
    const first = await runBackfill(args, env());
    expect(first.exit, first.stdout).to.deep.equal({ code: 0, signal: null });
    const before = await readStores(stack, SDK_APP_ID);
    expect(before).to.deep.equal(expectedStores(state));

    // Tencent's state changes; no callback reaches imsync
    const left = groupWithMember(state, 'Public');
    const destroyed = [...state.groups.values()].find(
      (g) => g.Type === 'Community' && g.members.size > 1 && g.topics.size > 0,
    )!;
    const renamed = groupWithMember(state, 'Meeting').group;
    const unfriended = pairOf(state, 'friends');
    state.removeMember(left.group.GroupId, left.account);
    state.destroyGroup(destroyed.GroupId);
    state.group(renamed.GroupId).Name = 'renamed in Tencent';
    state.removeFriend(unfriended.from, unfriended.to);

    const second = await runBackfill(args, env());
    expect(second.exit, second.stdout).to.deep.equal({ code: 0, signal: null });
    const after = await readStores(stack, SDK_APP_ID);
    const expected = structuredClone(before);
    expected.groups.find((g) => g.group_id === destroyed.GroupId)!.destroyed = true;
    expected.groups.find((g) => g.group_id === renamed.GroupId)!.name = 'renamed in Tencent';
    for (const m of expected.group_members)
      if (m.group_id === destroyed.GroupId) Object.assign(m, { status: 'left', exit_type: 'Destroyed' });
      else if (m.group_id === left.group.GroupId && m.member_account === left.account)
        Object.assign(m, { status: 'left', exit_type: 'Reconciled' });
    for (const t of expected.topics) if (t.group_id === destroyed.GroupId) t.destroyed = true;
    expected.friendships.find(
      (f) => f.from_account === unfriended.from && f.to_account === unfriended.to,
    )!.status = 'removed';
    expect(after).to.deep.equal(expected);
    const { changes } = parseSummary(second.stdout);
    expect(changes.groups).to.include({ inserted: 0, ended: 1 });
    expect(changes.groups?.changed).to.be.at.least(1);
    expect(changes.group_members).to.include({ inserted: 0, ended: 1 });
    expect(changes.friendships).to.deep.equal({ inserted: 0, changed: 0, ended: 1 });
  });
});
