import { expect } from 'chai';
import { applyAll, applyJob, sampleJob } from '../support/jobs.js';
import { SAMPLE_APP, useStore } from '../support/fixture.js';
import { readStore } from '../support/read.js';

const C = 'Sns.CallbackBlackListDelete';
const T = 1700000000000;

describe(C, () => {
  const store = useStore('black_list_delete');
  const db = () => store().db;

  it('applies the documented sample after the adds: each pair unblocked', async () => {
    await applyJob(db(), sampleJob('Sns.CallbackBlackListAdd', { EventTime: T }));
    expect(await applyJob(db(), sampleJob(C))).to.deep.equal({ applied: true });
    const row = (to: string) => ({
      sdk_app_id: SAMPLE_APP,
      from_account: 'id',
      to_account: to,
      status: 'unblocked',
    });
    expect(await readStore(db(), 'blocklist')).to.deep.equal([row('id1'), row('id2'), row('id3')]);
  });

  it('an unblock older than the block, delivered after it, changes nothing; one app does not see another', async () => {
    await applyAll(db(), [
      sampleJob('Sns.CallbackBlackListAdd', { EventTime: T + 10 }),
      sampleJob(C, { EventTime: T + 5 }),
      sampleJob(C, { EventTime: T + 50 }, { sdkAppId: 1 }),
    ]);
    expect(
      (await readStore(db(), 'blocklist')).map((b) => [b.sdk_app_id, b.to_account, b.status]),
    ).to.deep.equal([
      [1, 'id1', 'unblocked'],
      [1, 'id2', 'unblocked'],
      [1, 'id3', 'unblocked'],
      [SAMPLE_APP, 'id1', 'blocked'],
      [SAMPLE_APP, 'id2', 'blocked'],
      [SAMPLE_APP, 'id3', 'blocked'],
    ]);
  });
});
