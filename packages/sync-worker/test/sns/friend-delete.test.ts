import { expect } from 'chai';
import { applyAll, applyJob, sampleJob } from '../support/jobs.js';
import { SAMPLE_APP, useStore } from '../support/fixture.js';
import { readStore } from '../support/read.js';

const C = 'Sns.CallbackFriendDelete';
const T = 1700000000000;

describe(C, () => {
  const store = useStore('friend_delete');
  const db = () => store().db;

  it('applies the documented sample after the adds: each pair removed, the initiator kept', async () => {
    await applyJob(db(), sampleJob('Sns.CallbackFriendAdd', { EventTime: T }));
    expect(await applyJob(db(), sampleJob(C))).to.deep.equal({ applied: true });
    const row = (to: string) => ({
      sdk_app_id: SAMPLE_APP,
      from_account: 'id',
      to_account: to,
      status: 'removed',
      initiator_account: 'id',
    });
    expect(await readStore(db(), 'friendships')).to.deep.equal([row('id1'), row('id2'), row('id3')]);
  });

  it('a delete seen alone: removed, no initiator', async () => {
    await applyJob(db(), sampleJob(C, { PairList: [{ From_Account: 'a', To_Account: 'b' }] }));
    expect(await readStore(db(), 'friendships')).to.deep.equal([
      {
        sdk_app_id: SAMPLE_APP,
        from_account: 'a',
        to_account: 'b',
        status: 'removed',
        initiator_account: null,
      },
    ]);
  });

  it('a delete older than the add (EventTime), delivered after it, changes nothing', async () => {
    await applyAll(db(), [
      sampleJob('Sns.CallbackFriendAdd', { EventTime: T + 10 }),
      sampleJob(C, { EventTime: T + 5 }),
    ]);
    expect((await readStore(db(), 'friendships')).map((f) => f.status)).to.deep.equal([
      'friend',
      'friend',
      'friend',
    ]);
  });
});
