import { expect } from 'chai';
import { applyAll, applyJob, RECEIVED_AT, sampleJob } from '../support/jobs.js';
import { SAMPLE_APP, useStore } from '../support/fixture.js';
import { readStore } from '../support/read.js';

const C = 'Sns.CallbackFriendAdd';

describe(C, () => {
  const store = useStore('friend_add');
  const db = () => store().db;

  it('applies the documented sample: one row per pair, friend, with the initiator', async () => {
    expect(await applyJob(db(), sampleJob(C))).to.deep.equal({ applied: true });
    const row = (to: string) => ({
      sdk_app_id: SAMPLE_APP,
      from_account: 'id',
      to_account: to,
      status: 'friend',
      initiator_account: 'id',
    });
    expect(await readStore(db(), 'friendships')).to.deep.equal([row('id1'), row('id2'), row('id3')]);
  });

  it('no Initiator_Account: null', async () => {
    await applyJob(db(), sampleJob(C, { PairList: [{ From_Account: 'a', To_Account: 'b' }] }));
    expect(await readStore(db(), 'friendships')).to.deep.equal([
      {
        sdk_app_id: SAMPLE_APP,
        from_account: 'a',
        to_account: 'b',
        status: 'friend',
        initiator_account: null,
      },
    ]);
  });

  it('add, delete, add again (no EventTime: receipt times), delivered in any order: friends', async () => {
    const pair = [{ From_Account: 'a', To_Account: 'b', Initiator_Account: 'b' }];
    await applyAll(db(), [
      sampleJob(C, { PairList: pair, ClientCmd: 'friend_response' }, { receivedAt: RECEIVED_AT + 20 }),
      sampleJob(
        'Sns.CallbackFriendDelete',
        { PairList: [{ From_Account: 'a', To_Account: 'b' }] },
        { receivedAt: RECEIVED_AT + 10 },
      ),
      sampleJob(C, { PairList: [{ ...pair[0], Initiator_Account: 'a' }] }, { receivedAt: RECEIVED_AT }),
    ]);
    expect(await readStore(db(), 'friendships')).to.deep.equal([
      {
        sdk_app_id: SAMPLE_APP,
        from_account: 'a',
        to_account: 'b',
        status: 'friend',
        initiator_account: 'b',
      },
    ]);
  });

  it('both directions are separate rows', async () => {
    await applyJob(
      db(),
      sampleJob(C, {
        PairList: [
          { From_Account: 'a', To_Account: 'b' },
          { From_Account: 'b', To_Account: 'a' },
        ],
      }),
    );
    expect((await readStore(db(), 'friendships')).map((f) => [f.from_account, f.to_account])).to.deep.equal([
      ['a', 'b'],
      ['b', 'a'],
    ]);
  });
});
