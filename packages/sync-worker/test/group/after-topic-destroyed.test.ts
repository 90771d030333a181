import { expect } from 'chai';
import { applyAll, applyJob, RECEIVED_AT, sampleJob } from '../support/jobs.js';
import { SAMPLE_APP, SAMPLE_TIME as T, useStore } from '../support/fixture.js';
import { oneRow, readStore } from '../support/read.js';

const C = 'Group.CallbackAfterTopicDestroyed';
const G = '@TGS#_@TGS#cQVLVHIM62CJ';
const T1 = '@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic';
const T2 = '@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic_1';
const CREATE = 'Group.CallbackAfterCreateTopic';

describe(C, () => {
  const store = useStore('topic_destroyed');
  const db = () => store().db;

  it('applies the documented sample after the creations: each listed topic destroyed', async () => {
    await applyAll(db(), [
      sampleJob(CREATE, { GroupId: G, TopicId: T1, EventTime: T }),
      sampleJob(CREATE, { GroupId: G, TopicId: T2, EventTime: T }),
    ]);
    expect(await applyJob(db(), sampleJob(C))).to.deep.equal({ applied: true });
    const topics = await readStore(db(), 'topics');
    expect(
      topics.map((t) => [t.sdk_app_id, t.group_id, t.topic_id, t.created_at, t.destroyed_at]),
    ).to.deep.equal([
      [SAMPLE_APP, G, T1, T, RECEIVED_AT],
      [SAMPLE_APP, G, T2, T, RECEIVED_AT],
    ]);
    expect(topics[0]).to.include({ name: 'MyFirstTopic', owner_account: 'leckie' });
  });

  it('a destroy seen alone; a lone TopicId instead of TopicIdList', async () => {
    await applyJob(db(), sampleJob(C, { TopicIdList: undefined, TopicId: T1, EventTime: T }));
    expect(await readStore(db(), 'topics')).to.deep.equal([
      {
        sdk_app_id: SAMPLE_APP,
        group_id: G,
        topic_id: T1,
        name: null,
        introduction: null,
        notification: null,
        face_url: null,
        owner_account: null,
        custom_data: null,
        created_at: null,
        destroyed_at: T,
      },
    ]);
  });

  it('an empty TopicIdList: skipped with its reason', async () => {
    expect(await applyJob(db(), sampleJob(C, { TopicIdList: [] }))).to.deep.equal({
      skipped: 'no TopicIdList in the event',
    });
    expect(await readStore(db(), 'topics')).to.deep.equal([]);
  });

  it('a destroy arriving before the creation it follows still destroys', async () => {
    await applyAll(db(), [
      sampleJob(C, { EventTime: T + 10 }),
      sampleJob(CREATE, { GroupId: G, TopicId: T1, EventTime: T }),
    ]);
    expect(await oneRow(db(), 'topics', { topic_id: T1 })).to.include({
      created_at: T,
      destroyed_at: T + 10,
    });
  });
});
