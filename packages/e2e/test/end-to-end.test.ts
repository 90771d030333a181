import { expect } from 'chai';
import { loadSample, killAll, eventually } from '@imsync/testing';
import { SDK_APP_ID, Stack } from './support/stack.js';

const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };
/** A group creation's query string, as Tencent appends it to the callback URL. */
const CREATE_GROUP_QUERY =
  'SdkAppid=1400000001&CallbackCommand=Group.CallbackAfterCreateGroup&contenttype=json&ClientIP=127.0.0.1&OptPlatform=RESTAPI';
const query = (command: string, sdkAppId = SDK_APP_ID, platform = 'RESTAPI') =>
  `SdkAppid=${sdkAppId}&CallbackCommand=${command}&contenttype=json&ClientIP=127.0.0.1&OptPlatform=${platform}`;

interface GroupRow {
  type: string;
  name: string;
  owner_account: string;
  created_by: string;
  custom_data: Record<string, string>;
  created_at: Date;
}
interface MemberRow {
  member_account: string;
  role: string;
  status: string;
  joined_at: Date | null;
  exit_type: string | null;
}

describe('end to end: a callback over HTTP → Redis → sync-worker → PostgreSQL (real processes)', function () {
  this.timeout(60_000);
  let stack: Stack;
  const create = loadSample('Group.CallbackAfterCreateGroup');
  const groupId = create.body.GroupId as string;
  const createdAt = Number(create.body.EventTime);

  const members = async (group = groupId) =>
    (
      await stack.query<MemberRow>(
        'SELECT member_account, role, status, joined_at, exit_type FROM $schema.group_members WHERE sdk_app_id = $1 AND group_id = $2 ORDER BY member_account',
        [SDK_APP_ID, group],
      )
    ).rows;

  before(async () => {
    stack = await Stack.start({ label: 'e2e' });
  });
  after(async () => {
    await stack?.close();
    await killAll();
  });

  it('Group.CallbackAfterCreateGroup: the documented request is answered OK and the group, its owner and members are in PostgreSQL', async () => {
    const res = await stack.post(CREATE_GROUP_QUERY, create.body);
    expect(res.status).to.equal(200);
    expect(res.json).to.deep.equal(OK);

    const group = await eventually(
      async () =>
        (
          await stack.query<GroupRow>(
            'SELECT type, name, owner_account, created_by, custom_data, created_at FROM $schema.groups WHERE sdk_app_id = $1 AND group_id = $2',
            [SDK_APP_ID, groupId],
          )
        ).rows[0],
      5000,
      'the group row',
    );
    expect(group).to.deep.include({
      type: 'Public',
      name: 'MyFirstGroup',
      owner_account: 'leckie',
      created_by: 'group_root',
      custom_data: { UserDefined1: 'hello', UserDefined2: 'world' },
    });
    expect(group.created_at.getTime()).to.equal(createdAt);
    const rows = await eventually(
      async () => ((await members()).length === 3 ? members() : undefined),
      5000,
      'members',
    );
    expect(rows.map((m) => [m.member_account, m.role, m.status])).to.deep.equal([
      ['bob', 'Member', 'joined'],
      ['leckie', 'Owner', 'joined'],
      ['peter', 'Member', 'joined'],
    ]);
    expect(rows.every((m) => m.joined_at?.getTime() === createdAt)).to.equal(true);
  });

  it('the same request for another SdkAppid gets a FAIL answer and changes nothing', async () => {
    const other = { ...create.body, GroupId: '@TGS#other-app', Name: 'must not exist' };
    const res = await stack.post(
      CREATE_GROUP_QUERY.replace('SdkAppid=1400000001', 'SdkAppid=1400000002'),
      other,
    );
    expect((res.json as { ActionStatus?: string }).ActionStatus).to.equal('FAIL');
    expect((res.json as { ErrorCode?: number }).ErrorCode).to.not.equal(0);
    // a marker sent after it, through the same path: once it is applied, the refused one would have been too
    const marker = { ...create.body, GroupId: '@TGS#marker', EventTime: String(createdAt + 1) };
    expect((await stack.post(CREATE_GROUP_QUERY, marker)).json).to.deep.equal(OK);
    await eventually(
      async () =>
        (await stack.query('SELECT 1 FROM $schema.groups WHERE group_id = $1', ['@TGS#marker'])).rowCount ===
        1,
      5000,
      'the marker group',
    );
    const refused = await stack.query(
      'SELECT sdk_app_id, group_id FROM $schema.groups WHERE sdk_app_id <> $1 OR group_id = $2',
      [SDK_APP_ID, '@TGS#other-app'],
    );
    expect(refused.rows).to.deep.equal([]);
    const jobs = await stack.query(
      'SELECT count(*)::int AS n FROM $schema.group_members WHERE sdk_app_id <> $1',
      [SDK_APP_ID],
    );
    expect(jobs.rows[0]).to.deep.equal({ n: 0 });
  });

  it('members join, then one of them leaves: group_members follows', async () => {
    const join = loadSample('Group.CallbackAfterNewMemberJoin');
    const exit = loadSample('Group.CallbackAfterMemberExit');
    const joinBody = { ...join.body, EventTime: createdAt + 1000 };
    const exitBody = {
      ...exit.body,
      EventTime: createdAt + 2000,
      ExitMemberList: [{ Member_Account: 'tommy' }],
    };
    // sent in the wrong order on purpose: the stores apply events by their time, not by arrival
    expect(
      (await stack.post(query('Group.CallbackAfterMemberExit', SDK_APP_ID, 'iOS'), exitBody)).json,
    ).to.deep.equal(OK);
    expect(
      (await stack.post(query('Group.CallbackAfterNewMemberJoin', SDK_APP_ID, 'Android'), joinBody)).json,
    ).to.deep.equal(OK);
    const rows = await eventually(
      async () => {
        const r = await members();
        const jared = r.find((m) => m.member_account === 'jared');
        const tommy = r.find((m) => m.member_account === 'tommy');
        return jared?.status === 'joined' && tommy?.status === 'left' ? r : undefined;
      },
      5000,
      'jared joined and tommy left',
    );
    const tommy = rows.find((m) => m.member_account === 'tommy');
    expect(tommy?.exit_type).to.equal('Kicked');
    expect(rows.find((m) => m.member_account === 'jared')?.joined_at?.getTime()).to.equal(createdAt + 1000);
    expect(rows.filter((m) => m.status === 'joined').map((m) => m.member_account)).to.deep.equal([
      'bob',
      'jared',
      'leckie',
      'peter',
    ]);
  });

  it('State.StateChange: the user is online, with the platform and client IP of the query', async () => {
    const state = loadSample('State.StateChange');
    expect((await stack.post(query('State.StateChange', SDK_APP_ID, 'IOS'), state.body)).json).to.deep.equal(
      OK,
    );
    const user = await eventually(
      async () =>
        (
          await stack.query<{
            online_status: string;
            last_action: string;
            last_reason: string;
            last_client_ip: string;
          }>(
            'SELECT online_status, last_action, last_reason, last_client_ip FROM $schema.users WHERE sdk_app_id = $1 AND user_id = $2',
            [SDK_APP_ID, 'testuser316'],
          )
        ).rows[0],
      5000,
      'the user row',
    );
    expect(user).to.deep.equal({
      online_status: 'Online',
      last_action: 'Login',
      last_reason: 'Register',
      last_client_ip: '127.0.0.1',
    });
  });

  it('Sns.CallbackFriendAdd: one friendship row per pair', async () => {
    const friends = loadSample('Sns.CallbackFriendAdd');
    expect((await stack.post(query('Sns.CallbackFriendAdd'), friends.body)).json).to.deep.equal(OK);
    const rows = await eventually(
      async () => {
        const r = await stack.query<{
          from_account: string;
          to_account: string;
          status: string;
          initiator_account: string;
        }>(
          'SELECT from_account, to_account, status, initiator_account FROM $schema.friendships WHERE sdk_app_id = $1 ORDER BY to_account',
          [SDK_APP_ID],
        );
        return r.rows.length === 3 ? r.rows : undefined;
      },
      5000,
      'three friendships',
    );
    expect(rows).to.deep.equal(
      ['id1', 'id2', 'id3'].map((to) => ({
        from_account: 'id',
        to_account: to,
        status: 'friend',
        initiator_account: 'id',
      })),
    );
  });
});
