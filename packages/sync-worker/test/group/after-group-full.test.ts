import { expect } from 'chai';
import { applyAll, applyJob, sampleJob } from '../support/jobs.js';
import { SAMPLE_APP, SAMPLE_TIME as T, useStore } from '../support/fixture.js';
import { oneRow, readStore } from '../support/read.js';

const C = 'Group.CallbackAfterGroupFull';
const G = '@TGS#2J4SZEAEL';

describe(C, () => {
  const store = useStore('group_full');
  const db = () => store().db;

  it('applies the documented sample: full_at', async () => {
    expect(await applyJob(db(), sampleJob(C))).to.deep.equal({ applied: true });
    expect(await oneRow(db(), 'groups', { group_id: G })).to.include({
      sdk_app_id: SAMPLE_APP,
      full_at: T,
      type: null,
    });
  });

  it('the latest time it was found full, whatever the order', async () => {
    await applyAll(db(), [sampleJob(C, { EventTime: T + 10 }), sampleJob(C)]);
    expect(await oneRow(db(), 'groups', { group_id: G })).to.include({ full_at: T + 10 });
  });

  it('a private topic full (TopicId): skipped with its reason, nothing written', async () => {
    const result = await applyJob(db(), sampleJob(C, { TopicId: '@TGS#_x@TOPIC#_t' }));
    expect(result).to.deep.equal({ skipped: 'topic @TGS#_x@TOPIC#_t is full: topics have no full_at' });
    expect(await readStore(db(), 'groups')).to.deep.equal([]);
  });
});
