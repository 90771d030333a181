import { expect } from 'chai';
import { applyAll, applyJob, sampleJob } from '../support/jobs.js';
import { SAMPLE_APP, SAMPLE_TIME as T, useStore } from '../support/fixture.js';
import { oneRow, readStore } from '../support/read.js';

const C = 'Group.CallbackAfterChangeGroupOwner';
const G = '@TGS#2TTV7VSII';

describe(C, () => {
  const store = useStore('change_group_owner');
  const db = () => store().db;
  const roles = async () =>
    (await readStore(db(), 'group_members')).map((m) => [m.member_account, m.role, m.status]);

  it('applies the documented sample (EventTime a string): owner user2; user2 Owner, user1 Member', async () => {
    await applyJob(
      db(),
      sampleJob('Group.CallbackAfterCreateGroup', {
        GroupId: G,
        Owner_Account: 'user1',
        MemberList: [{ Member_Account: 'user2' }],
        EventTime: T - 100,
      }),
    );
    expect(await applyJob(db(), sampleJob(C))).to.deep.equal({ applied: true });
    expect(await oneRow(db(), 'groups', { group_id: G })).to.include({
      sdk_app_id: SAMPLE_APP,
      owner_account: 'user2',
      type: 'Public',
    });
    expect(await roles()).to.deep.equal([
      ['user1', 'Member', 'joined'],
      ['user2', 'Owner', 'joined'],
    ]);
    expect(
      (await readStore(db(), 'active_group_members')).map((m) => [m.member_account, m.role]),
    ).to.deep.equal([
      ['user1', 'Member'],
      ['user2', 'Owner'],
    ]);
  });

  it('alone: the roles are known, the memberships are not (status null)', async () => {
    await applyJob(db(), sampleJob(C));
    expect(await roles()).to.deep.equal([
      ['user1', 'Member', null],
      ['user2', 'Owner', null],
    ]);
    expect(await readStore(db(), 'active_group_members')).to.deep.equal([]);
  });

  it('transfers in any order: the latest one holds', async () => {
    await applyAll(db(), [
      sampleJob(C, { OldOwner_Account: 'user2', NewOwner_Account: 'user3', EventTime: T + 10 }),
      sampleJob(C), // user1 → user2, earlier
    ]);
    expect(await oneRow(db(), 'groups', { group_id: G })).to.include({ owner_account: 'user3' });
    expect(await roles()).to.deep.equal([
      ['user1', 'Member', null],
      ['user2', 'Member', null],
      ['user3', 'Owner', null],
    ]);
  });
});
