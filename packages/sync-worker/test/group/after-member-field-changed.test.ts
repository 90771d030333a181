import { expect } from 'chai';
import { applyAll, applyJob, sampleJob } from '../support/jobs.js';
import { SAMPLE_APP, SAMPLE_TIME as T, useStore } from '../support/fixture.js';
import { oneRow, readStore } from '../support/read.js';

const C = 'Group.CallbackAfterMemberFieldChanged';
const G = '@TGS#xxxx';

describe(C, () => {
  const store = useStore('member_field_changed');
  const db = () => store().db;

  it('applies the documented sample (Modified_Account): role Admin and name card', async () => {
    await applyJob(
      db(),
      sampleJob('Group.CallbackAfterNewMemberJoin', {
        GroupId: G,
        NewMemberList: [{ Member_Account: '123456' }],
        EventTime: T - 1,
      }),
    );
    expect(await applyJob(db(), sampleJob(C))).to.deep.equal({ applied: true });
    expect(await oneRow(db(), 'group_members', { member_account: '123456' })).to.deep.equal({
      sdk_app_id: SAMPLE_APP,
      group_id: G,
      member_account: '123456',
      role: 'Admin',
      name_card: 'jacky',
      status: 'joined',
      join_type: 'Apply',
      exit_type: null,
      joined_at: T - 1,
      left_at: null,
      operator_account: 'leckie',
      online: null,
    });
    expect(await oneRow(db(), 'groups', { group_id: G })).to.include({ type: 'Community' });
  });

  it('Member_Account (English docs); only the name card; Role Member unsets an admin', async () => {
    const { Modified_Account: _m, ...rest } = sampleJob(C).body;
    await applyAll(db(), [
      sampleJob(C, { ...rest, Member_Account: 'bob', Role: 'Admin', NameCard: undefined }),
      sampleJob(C, { ...rest, Member_Account: 'bob', Role: undefined, NameCard: 'Bobby', EventTime: T + 1 }),
      sampleJob(C, { ...rest, Member_Account: 'bob', Role: 'Member', NameCard: undefined, EventTime: T + 2 }),
    ]);
    expect(await oneRow(db(), 'group_members', { member_account: 'bob' })).to.include({
      role: 'Member',
      name_card: 'Bobby',
      status: null,
    });
    expect(await readStore(db(), 'group_members')).to.have.length(1);
  });

  it('neither Role nor NameCard: skipped, with its reason, and nothing written', async () => {
    const result = await applyJob(db(), sampleJob(C, { Role: undefined, NameCard: undefined }));
    expect(result).to.deep.equal({ skipped: 'neither Role nor NameCard in the event' });
    expect(await readStore(db(), 'groups')).to.deep.equal([]);
    expect(await readStore(db(), 'group_members')).to.deep.equal([]);
  });

  it('each field on its own, the latest event wins', async () => {
    await applyAll(db(), [
      sampleJob(C, { Role: 'Member', NameCard: 'new', EventTime: T + 10 }),
      sampleJob(C, { Role: 'Admin', NameCard: undefined, EventTime: T + 20 }),
      sampleJob(C), // Admin, jacky at T: older than both
    ]);
    expect(await oneRow(db(), 'group_members', { member_account: '123456' })).to.include({
      role: 'Admin',
      name_card: 'new',
    });
  });
});
