import { expect } from 'chai';
import { applyAll, applyJob, RECEIVED_AT, sampleJob } from '../support/jobs.js';
import { SAMPLE_APP, SAMPLE_TIME as T, useStore } from '../support/fixture.js';
import { oneRow, readStore } from '../support/read.js';

const C = 'Group.CallbackAfterNewMemberJoin';
const G = '@TGS#2J4SZEAEL';

describe(C, () => {
  const store = useStore('new_member_join');
  const db = () => store().db;
  const memberships = async () =>
    (await readStore(db(), 'group_members')).map((m) => [
      m.member_account,
      m.status,
      m.join_type,
      m.exit_type,
      m.left_at,
    ]);

  it('applies the documented sample: each new member joined as Member, with its JoinType', async () => {
    expect(await applyJob(db(), sampleJob(C))).to.deep.equal({ applied: true });
    const member = (account: string) => ({
      sdk_app_id: SAMPLE_APP,
      group_id: G,
      member_account: account,
      role: 'Member',
      name_card: null,
      status: 'joined',
      join_type: 'Apply',
      exit_type: null,
      joined_at: T,
      left_at: null,
      operator_account: 'leckie',
      online: null,
    });
    expect(await readStore(db(), 'group_members')).to.deep.equal([member('jared'), member('tommy')]);
    // the group is known (its type) but its creation was not seen (imsync started later): it exists all the
    // same, an active group without created_at
    expect(await oneRow(db(), 'groups', { group_id: G })).to.include({ type: 'Public', created_at: null });
    expect(
      (await readStore(db(), 'active_groups')).map((g) => [g.group_id, g.type, g.created_at]),
    ).to.deep.equal([[G, 'Public', null]]);
    expect((await readStore(db(), 'active_group_members')).map((m) => m.member_account)).to.deep.equal([
      'jared',
      'tommy',
    ]);
  });

  it('Invited, or no JoinType (null); without EventTime, the time ingest received it', async () => {
    await applyJob(db(), sampleJob(C, { JoinType: 'Invited', NewMemberList: [{ Member_Account: 'a' }] }));
    await applyJob(
      db(),
      sampleJob(C, { JoinType: undefined, EventTime: undefined, NewMemberList: [{ Member_Account: 'b' }] }),
    );
    const rows = await readStore(db(), 'group_members');
    expect(rows.map((m) => [m.member_account, m.join_type, m.joined_at])).to.deep.equal([
      ['a', 'Invited', T],
      ['b', null, RECEIVED_AT],
    ]);
  });

  it('a join that happened before a destroy, delivered after it, is ended by the destroy', async () => {
    await applyJob(db(), sampleJob('Group.CallbackAfterGroupDestroyed', { EventTime: T + 10 }));
    await applyJob(db(), sampleJob(C, { EventTime: T + 5 }));
    expect(await memberships()).to.deep.equal([
      ['jared', 'left', 'Apply', 'Destroyed', T + 10],
      ['tommy', 'left', 'Apply', 'Destroyed', T + 10],
    ]);
    expect(await readStore(db(), 'active_group_members')).to.deep.equal([]);
  });

  it('a join after a destroy (the group re-created) stays joined', async () => {
    await applyAll(db(), [
      sampleJob('Group.CallbackAfterGroupDestroyed', { EventTime: T + 10 }),
      sampleJob(C, { EventTime: T + 20 }),
    ]);
    expect(await memberships()).to.deep.equal([
      ['jared', 'joined', 'Apply', null, null],
      ['tommy', 'joined', 'Apply', null, null],
    ]);
  });

  it('re-joining after an exit: joined again; a join older than the exit changes nothing', async () => {
    await applyAll(db(), [
      sampleJob('Group.CallbackAfterMemberExit', {
        EventTime: T + 10,
        ExitMemberList: [{ Member_Account: 'jared' }],
      }),
      sampleJob(C, { EventTime: T + 20, NewMemberList: [{ Member_Account: 'jared' }], JoinType: 'Invited' }),
      sampleJob(C, { EventTime: T + 5, NewMemberList: [{ Member_Account: 'jared' }] }), // late, older
    ]);
    expect(await oneRow(db(), 'group_members', { member_account: 'jared' })).to.include({
      status: 'joined',
      join_type: 'Invited',
      joined_at: T + 20,
      left_at: null,
      exit_type: null,
    });
  });

  it('a join resets an admin to Member only if it is the later event', async () => {
    await applyAll(db(), [
      sampleJob('Group.CallbackAfterMemberFieldChanged', {
        GroupId: G,
        Modified_Account: 'jared',
        EventTime: T + 10,
      }),
      sampleJob(C, { EventTime: T }),
    ]);
    expect(await oneRow(db(), 'group_members', { member_account: 'jared' })).to.include({
      role: 'Admin',
      name_card: 'jacky',
      status: 'joined',
    });
  });

  it('a rejoin clears the name card of the earlier membership; a card set after the rejoin holds', async () => {
    const card = (t: number, NameCard: string) =>
      sampleJob('Group.CallbackAfterMemberFieldChanged', {
        GroupId: G,
        Modified_Account: 'jared',
        NameCard,
        EventTime: t,
      });
    const exit = sampleJob('Group.CallbackAfterMemberExit', {
      GroupId: G,
      ExitMemberList: [{ Member_Account: 'jared' }],
      EventTime: T + 20,
    });
    // delivered out of order: the old card last
    await applyAll(db(), [sampleJob(C, { EventTime: T + 30 }), exit, card(T + 10, 'old')]);
    expect(await oneRow(db(), 'group_members', { member_account: 'jared' })).to.include({
      name_card: null,
      status: 'joined',
    });
    await applyAll(db(), [card(T + 40, 'new')]);
    expect(await oneRow(db(), 'group_members', { member_account: 'jared' })).to.include({
      name_card: 'new',
      status: 'joined',
    });
  });
});
