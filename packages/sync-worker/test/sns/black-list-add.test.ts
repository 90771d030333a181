import { expect } from 'chai';
import { applyAll, applyJob, sampleJob } from '../support/jobs.js';
import { SAMPLE_APP, useStore } from '../support/fixture.js';
import { readStore } from '../support/read.js';

const C = 'Sns.CallbackBlackListAdd';
const T = 1700000000000;

describe(C, () => {
  const store = useStore('black_list_add');
  const db = () => store().db;

  it('applies the documented sample: one row per pair, blocked', async () => {
    expect(await applyJob(db(), sampleJob(C))).to.deep.equal({ applied: true });
    const row = (to: string) => ({
      sdk_app_id: SAMPLE_APP,
      from_account: 'id',
      to_account: to,
      status: 'blocked',
    });
    expect(await readStore(db(), 'blocklist')).to.deep.equal([row('id1'), row('id2'), row('id3')]);
    expect(await readStore(db(), 'friendships')).to.deep.equal([]);
  });

  it('blocked again after an unblock, whatever the delivery order', async () => {
    await applyAll(db(), [
      sampleJob(C, { EventTime: T + 20 }),
      sampleJob(C, { EventTime: T }),
      sampleJob('Sns.CallbackBlackListDelete', { EventTime: T + 10 }),
    ]);
    expect((await readStore(db(), 'blocklist')).map((b) => b.status)).to.deep.equal([
      'blocked',
      'blocked',
      'blocked',
    ]);
  });
});
