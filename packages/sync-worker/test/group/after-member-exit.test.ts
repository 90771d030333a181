import { expect } from 'chai';
import { applyAll, applyJob, sampleJob } from '../support/jobs.js';
import { SAMPLE_APP, SAMPLE_TIME as T, useStore } from '../support/fixture.js';
import { oneRow, readStore } from '../support/read.js';

const C = 'Group.CallbackAfterMemberExit';
const G = '@TGS#2J4SZEAEL';
const JOIN = 'Group.CallbackAfterNewMemberJoin';

describe(C, () => {
  const store = useStore('member_exit');
  const db = () => store().db;

  it('applies the documented sample after the members joined: each left, Kicked', async () => {
    await applyJob(db(), sampleJob(JOIN, { EventTime: T - 100 }));
    expect(await applyJob(db(), sampleJob(C))).to.deep.equal({ applied: true });
    const member = (account: string) => ({
      sdk_app_id: SAMPLE_APP,
      group_id: G,
      member_account: account,
      role: 'Member',
      name_card: null,
      status: 'left',
      join_type: 'Apply',
      exit_type: 'Kicked',
      joined_at: T - 100,
      left_at: T,
      operator_account: 'leckie',
      online: null,
    });
    expect(await readStore(db(), 'group_members')).to.deep.equal([member('jared'), member('tommy')]);
    expect(await readStore(db(), 'active_group_members')).to.deep.equal([]);
  });

  it('an exit seen alone: left, nothing known of the join', async () => {
    await applyJob(db(), sampleJob(C, { ExitType: 'Quit', ExitMemberList: [{ Member_Account: 'jared' }] }));
    expect(await oneRow(db(), 'group_members', { member_account: 'jared' })).to.include({
      role: null,
      status: 'left',
      exit_type: 'Quit',
      joined_at: null,
      join_type: null,
      left_at: T,
    });
  });

  it('no ExitType, no Operator_Account: null', async () => {
    await applyJob(db(), sampleJob(C, { ExitType: undefined, Operator_Account: undefined }));
    expect(
      (await readStore(db(), 'group_members')).map((m) => [m.status, m.exit_type, m.operator_account]),
    ).to.deep.equal([
      ['left', null, null],
      ['left', null, null],
    ]);
  });

  it('an exit older than the join, delivered after it, changes nothing', async () => {
    await applyAll(db(), [sampleJob(JOIN, { EventTime: T + 10 }), sampleJob(C, { EventTime: T + 1 })]);
    expect((await readStore(db(), 'active_group_members')).map((m) => m.member_account)).to.deep.equal([
      'jared',
      'tommy',
    ]);
  });

  it('a Disconnect-style late exit after a re-join does not end the new membership; in any order', async () => {
    const events = [
      sampleJob(JOIN, { EventTime: T }),
      sampleJob(C, { EventTime: T + 5 }),
      sampleJob(JOIN, { EventTime: T + 9 }),
    ];
    await applyAll(db(), [events[2]!, events[1]!, events[0]!]);
    expect(await oneRow(db(), 'group_members', { member_account: 'jared' })).to.include({
      status: 'joined',
      joined_at: T + 9,
      exit_type: null,
      left_at: null,
    });
  });
});
