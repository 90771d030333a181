import { expect } from 'chai';
import { applyAll, applyJob, RECEIVED_AT, sampleJob } from '../support/jobs.js';
import { SAMPLE_APP, SAMPLE_TIME as T, useStore } from '../support/fixture.js';
import { oneRow, readStore } from '../support/read.js';

const C = 'Group.CallbackAfterGroupDestroyed';
const G = '@TGS#2J4SZEAEL';
const CREATE = 'Group.CallbackAfterCreateGroup';
const JOIN = 'Group.CallbackAfterNewMemberJoin';
const TOPIC = 'Group.CallbackAfterCreateTopic';

describe(C, () => {
  const store = useStore('group_destroyed');
  const db = () => store().db;
  const memberships = async () =>
    (await readStore(db(), 'group_members')).map((m) => [m.member_account, m.status, m.exit_type, m.left_at]);

  it('applies the documented sample after the creation: destroyed, every membership ended', async () => {
    await applyAll(db(), [
      sampleJob(CREATE, { EventTime: T - 100 }),
      sampleJob(JOIN, { EventTime: T - 50, NewMemberList: [{ Member_Account: 'jared' }] }),
    ]);
    expect(await applyJob(db(), sampleJob(C))).to.deep.equal({ applied: true });
    expect(await oneRow(db(), 'groups', { group_id: G })).to.deep.equal({
      sdk_app_id: SAMPLE_APP,
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
      created_at: T - 100,
      destroyed_at: T,
      full_at: null,
      last_msg_seq: null,
      last_msg_at: null,
      last_msg_from: null,
    });
    // jared is not in the destroy's MemberList: his membership ends all the same
    expect(await memberships()).to.deep.equal([
      ['bob', 'left', 'Destroyed', T],
      ['jared', 'left', 'Destroyed', T],
      ['leckie', 'left', 'Destroyed', T],
      ['peter', 'left', 'Destroyed', T],
    ]);
    // who ended them: the destroy's operator
    expect((await readStore(db(), 'group_members')).map((m) => m.operator_account)).to.deep.equal(
      Array(4).fill('administrator'),
    );
    expect(await readStore(db(), 'active_groups')).to.deep.equal([]);
    expect(await readStore(db(), 'active_group_members')).to.deep.equal([]);
  });

  it('a Community group (no MemberList): memberships and topics end', async () => {
    await applyAll(db(), [
      sampleJob(CREATE, { EventTime: T - 100, Type: 'Community' }),
      sampleJob(TOPIC, { EventTime: T - 90 }),
      sampleJob(C, { MemberList: undefined, Type: 'Community' }),
    ]);
    expect((await readStore(db(), 'group_members')).every((m) => m.status === 'left')).to.equal(true);
    expect(await readStore(db(), 'topics'))
      .to.have.length(1)
      .and.to.satisfy((ts: { destroyed_at: unknown }[]) => ts[0]!.destroyed_at === T);
  });

  it('a membership that began after the destroy is not ended by it; a member who had left keeps his exit', async () => {
    await applyAll(db(), [
      sampleJob(JOIN, {
        EventTime: T - 10,
        NewMemberList: [{ Member_Account: 'old' }, { Member_Account: 'gone' }],
      }),
      sampleJob('Group.CallbackAfterMemberExit', {
        EventTime: T - 5,
        ExitType: 'Quit',
        ExitMemberList: [{ Member_Account: 'gone' }],
      }),
      sampleJob(JOIN, { EventTime: T + 10, NewMemberList: [{ Member_Account: 'new' }] }),
      sampleJob(C),
    ]);
    expect(await memberships()).to.deep.equal([
      ['gone', 'left', 'Quit', T - 5],
      ['new', 'joined', null, null],
      ['old', 'left', 'Destroyed', T],
    ]);
  });

  it('a membership ends at the first destroy after it began, whatever order destroys arrive in', async () => {
    await applyAll(db(), [
      sampleJob(C, { EventTime: T + 20 }),
      sampleJob(JOIN, { EventTime: T, NewMemberList: [{ Member_Account: 'a' }] }),
      sampleJob(C, { EventTime: T + 10 }),
    ]);
    expect(await memberships()).to.deep.equal([['a', 'left', 'Destroyed', T + 10]]);
    expect(await oneRow(db(), 'groups', { group_id: G })).to.include({ destroyed_at: T + 20 });
  });

  it('a destroy older than the (re-)creation leaves the group alive', async () => {
    await applyAll(db(), [sampleJob(CREATE, { EventTime: T + 10 }), sampleJob(C)]);
    expect(await oneRow(db(), 'groups', { group_id: G })).to.include({
      destroyed_at: null,
      created_at: T + 10,
    });
    expect(await readStore(db(), 'active_group_members')).to.have.length(3);
  });

  it('without EventTime, the time ingest received it', async () => {
    await applyJob(db(), sampleJob(C, { EventTime: undefined, Name: undefined, Owner_Account: undefined }));
    expect(await oneRow(db(), 'groups', { group_id: G })).to.include({
      destroyed_at: RECEIVED_AT,
      name: null,
      owner_account: null,
    });
  });
});
