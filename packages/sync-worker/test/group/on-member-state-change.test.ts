import { expect } from 'chai';
import { applyAll, applyJob, RECEIVED_AT, sampleJob } from '../support/jobs.js';
import { SAMPLE_APP, useStore } from '../support/fixture.js';
import { readStore } from '../support/read.js';

const C = 'Group.CallbackOnMemberStateChange';
const G = '@TGS#2J4SZEAEL';

describe(C, () => {
  const store = useStore('member_state_change');
  const db = () => store().db;
  const online = async () =>
    (await readStore(db(), 'group_members')).map((m) => [m.member_account, m.online]);

  it('applies the documented sample (no EventTime, no ClientIP): each member offline', async () => {
    expect(await applyJob(db(), sampleJob(C))).to.deep.equal({ applied: true });
    const member = (account: string) => ({
      sdk_app_id: SAMPLE_APP,
      group_id: G,
      member_account: account,
      role: null,
      name_card: null,
      status: null,
      join_type: null,
      exit_type: null,
      joined_at: null,
      left_at: null,
      operator_account: null,
      online: false,
    });
    expect(await readStore(db(), 'group_members')).to.deep.equal([member('jared'), member('tommy')]);
  });

  it('online again later; the latest event wins whatever the order (EventTime, else receipt time)', async () => {
    await applyAll(db(), [
      sampleJob(C, { EventType: 'Online', EventCause: 'HeartbeatRecover' }, { receivedAt: RECEIVED_AT + 10 }),
      sampleJob(C), // Offline, received earlier
      sampleJob(C, { MemberList: [{ Member_Account: 'jared' }], EventTime: RECEIVED_AT - 1 }),
    ]);
    expect(await online()).to.deep.equal([
      ['jared', true],
      ['tommy', true],
    ]);
  });

  it('presence is shown on active members', async () => {
    await applyAll(db(), [
      sampleJob('Group.CallbackAfterNewMemberJoin', { EventTime: RECEIVED_AT - 5 }),
      sampleJob(C, { EventType: 'Online' }),
    ]);
    expect(
      (await readStore(db(), 'active_group_members')).map((m) => [m.member_account, m.online]),
    ).to.deep.equal([
      ['jared', true],
      ['tommy', true],
    ]);
  });
});
