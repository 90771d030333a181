import { expect } from 'chai';
import { applyAll, applyJob, RECEIVED_AT, sampleJob } from '../support/jobs.js';
import { oneRow, readStore } from '../support/read.js';
import { openStore, type TestStore } from '../support/store.js';

const C = 'Group.CallbackAfterCreateGroup';
const APP = 888888;
const G = '@TGS#2J4SZEAEL';
const T = 1670574414123;

describe(C, () => {
  let store: TestStore;
  before(async () => (store = await openStore('create_group')));
  after(async () => store.close());
  beforeEach(async () => store.truncate());

  it('applies the documented sample: the group, its owner and its initial members', async () => {
    expect(await applyJob(store.db, sampleJob(C))).to.deep.equal({ applied: true });
    expect(await oneRow(store.db, 'groups', { group_id: G })).to.deep.equal({
      sdk_app_id: APP,
      group_id: G,
      type: 'Public',
      name: 'MyFirstGroup',
      introduction: null,
      notification: null,
      face_url: null,
      owner_account: 'leckie',
      created_by: 'group_root',
      custom_data: { UserDefined1: 'hello', UserDefined2: 'world' },
      attributes: {},
      created_at: T,
      destroyed_at: null,
      full_at: null,
      last_msg_seq: null,
      last_msg_at: null,
      last_msg_from: null,
    });
    const member = (account: string, role: string) => ({
      sdk_app_id: APP,
      group_id: G,
      member_account: account,
      role,
      name_card: null,
      status: 'joined',
      join_type: 'Created',
      exit_type: null,
      joined_at: T,
      left_at: null,
      operator_account: 'group_root',
      online: null,
    });
    expect(await readStore(store.db, 'group_members')).to.deep.equal([
      member('bob', 'Member'),
      member('leckie', 'Owner'),
      member('peter', 'Member'),
    ]);
    expect((await readStore(store.db, 'active_groups')).map((g) => g.group_id)).to.deep.equal([G]);
    expect(await readStore(store.db, 'active_group_members')).to.deep.equal([
      {
        sdk_app_id: APP,
        group_id: G,
        member_account: 'bob',
        role: 'Member',
        name_card: null,
        join_type: 'Created',
        joined_at: T,
        operator_account: 'group_root',
        online: null,
      },
      {
        sdk_app_id: APP,
        group_id: G,
        member_account: 'leckie',
        role: 'Owner',
        name_card: null,
        join_type: 'Created',
        joined_at: T,
        operator_account: 'group_root',
        online: null,
      },
      {
        sdk_app_id: APP,
        group_id: G,
        member_account: 'peter',
        role: 'Member',
        name_card: null,
        join_type: 'Created',
        joined_at: T,
        operator_account: 'group_root',
        online: null,
      },
    ]);
  });

  it('is idempotent: a duplicate changes nothing', async () => {
    await applyJob(store.db, sampleJob(C));
    const before = await readStore(store.db, 'group_members');
    await applyJob(store.db, sampleJob(C));
    expect(await readStore(store.db, 'group_members')).to.deep.equal(before);
    expect(await readStore(store.db, 'groups')).to.have.length(1);
  });

  it('a group without owner: owner_account null and no Owner member', async () => {
    await applyJob(store.db, sampleJob(C, { Owner_Account: undefined }));
    expect(await oneRow(store.db, 'groups', { group_id: G })).to.include({ owner_account: null });
    const members = await readStore(store.db, 'group_members');
    expect(members.map((m) => [m.member_account, m.role])).to.deep.equal([
      ['bob', 'Member'],
      ['peter', 'Member'],
    ]);
  });

  it('an owner listed among the members is the Owner, once', async () => {
    await applyJob(
      store.db,
      sampleJob(C, { MemberList: [{ Member_Account: 'leckie' }, { Member_Account: 'bob' }] }),
    );
    const members = await readStore(store.db, 'group_members');
    expect(members.map((m) => [m.member_account, m.role])).to.deep.equal([
      ['bob', 'Member'],
      ['leckie', 'Owner'],
    ]);
  });

  it('keeps Introduction, Notification and FaceUrl when the event carries them; groupID for GroupId', async () => {
    const { GroupId: _g, ...rest } = sampleJob(C).body;
    await applyJob(
      store.db,
      sampleJob(C, {
        ...rest,
        GroupId: undefined,
        groupID: G,
        Introduction: 'i',
        Notification: 'n',
        FaceUrl: 'http://f',
      }),
    );
    expect(await oneRow(store.db, 'groups', { group_id: G })).to.include({
      introduction: 'i',
      notification: 'n',
      face_url: 'http://f',
    });
  });

  it('without EventTime, the time ingest received it', async () => {
    await applyJob(
      store.db,
      sampleJob(C, { EventTime: undefined, UserDefinedDataList: undefined, MemberList: undefined }),
    );
    expect(await oneRow(store.db, 'groups', { group_id: G })).to.deep.include({
      created_at: RECEIVED_AT,
      custom_data: {},
    });
    expect(await readStore(store.db, 'group_members')).to.have.length(1); // the owner
  });

  it('an older creation arriving late does not undo a later change', async () => {
    await applyJob(
      store.db,
      sampleJob('Group.CallbackAfterGroupInfoChanged', { Name: 'Renamed', EventTime: T + 5 }),
    );
    await applyJob(store.db, sampleJob(C));
    expect(await oneRow(store.db, 'groups', { group_id: G })).to.include({
      name: 'Renamed',
      notification: 'NewNotification',
      created_at: T,
    });
  });

  it('a group re-created after a destroy is alive again and starts afresh; ended memberships stay ended', async () => {
    await applyAll(store.db, [
      sampleJob(C, { Introduction: 'old' }),
      sampleJob('Group.CallbackAfterGroupAttrChanged', { EventTime: T + 1 }),
      sampleJob('Group.CallbackAfterSendMsg', { EventTime: T + 2, MsgSeq: 50 }),
      sampleJob('Group.CallbackAfterGroupFull', { EventTime: T + 3 }),
      sampleJob('Group.CallbackAfterGroupDestroyed', { EventTime: T + 10 }),
    ]);
    // re-created later, with other members (delivered out of order: a message of the new group first)
    await applyJob(
      store.db,
      sampleJob('Group.CallbackAfterSendMsg', {
        EventTime: T + 30,
        MsgSeq: 2,
        MsgTime: 1700000000,
        From_Account: 'zoe',
      }),
    );
    await applyJob(
      store.db,
      sampleJob(C, {
        EventTime: T + 20,
        Name: 'Again',
        Owner_Account: 'zoe',
        MemberList: [{ Member_Account: 'bob' }],
      }),
    );
    expect(await oneRow(store.db, 'groups', { group_id: G })).to.deep.include({
      name: 'Again',
      introduction: null,
      owner_account: 'zoe',
      attributes: {},
      created_at: T + 20,
      destroyed_at: null,
      full_at: null,
      last_msg_seq: 2,
      last_msg_at: 1700000000000,
      last_msg_from: 'zoe',
    });
    const members = await readStore(store.db, 'group_members');
    expect(members.map((m) => [m.member_account, m.role, m.status, m.exit_type, m.left_at])).to.deep.equal([
      ['bob', 'Member', 'joined', null, null],
      ['leckie', 'Owner', 'left', 'Destroyed', T + 10],
      ['peter', 'Member', 'left', 'Destroyed', T + 10],
      ['zoe', 'Owner', 'joined', null, null],
    ]);
    expect((await readStore(store.db, 'active_group_members')).map((m) => m.member_account)).to.deep.equal([
      'bob',
      'zoe',
    ]);
    expect(await readStore(store.db, 'active_groups')).to.have.length(1);
  });
});
