import { expect } from 'chai';
import { applyAll, applyJob, RECEIVED_AT, sampleJob } from '../support/jobs.js';
import { SAMPLE_APP, SAMPLE_TIME as T, useStore } from '../support/fixture.js';
import { oneRow, readStore } from '../support/read.js';

const C = 'Group.CallbackAfterCreateTopic';
const G = '@TGS#2J4SZEAEL';
const TOPIC = '@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_@TOPIC#cRTE3HIM62C5';

describe(C, () => {
  const store = useStore('create_topic');
  const db = () => store().db;

  it('applies the documented sample (no EventTime: the receipt time): the topic', async () => {
    expect(await applyJob(db(), sampleJob(C))).to.deep.equal({ applied: true });
    expect(await readStore(db(), 'topics')).to.deep.equal([
      {
        sdk_app_id: SAMPLE_APP,
        group_id: G,
        topic_id: TOPIC,
        name: 'MyFirstTopic',
        introduction: null,
        notification: null,
        face_url: null,
        owner_account: 'leckie',
        custom_data: { UserDefined1: 'hello', UserDefined2: 'world' },
        created_at: RECEIVED_AT,
        destroyed_at: null,
      },
    ]);
    // the group's type is learnt from the event; its creation is still unknown
    expect(await oneRow(db(), 'groups', { group_id: G })).to.include({ type: 'Community', created_at: null });
  });

  it('without TopicId: skipped with its reason, nothing written', async () => {
    const result = await applyJob(db(), sampleJob(C, { TopicId: undefined }));
    expect(result).to.deep.equal({ skipped: 'no TopicId in the event' });
    expect(await readStore(db(), 'topics')).to.deep.equal([]);
    expect(await readStore(db(), 'groups')).to.deep.equal([]);
  });

  it('a topic re-created after its destroy is alive again; a destroy older than the creation changes nothing', async () => {
    await applyAll(db(), [
      sampleJob(C, { EventTime: T + 20, Name: 'again' }),
      sampleJob('Group.CallbackAfterTopicDestroyed', { GroupId: G, TopicIdList: [TOPIC], EventTime: T + 10 }),
      sampleJob(C, { EventTime: T }),
    ]);
    expect(await oneRow(db(), 'topics', { topic_id: TOPIC })).to.include({
      name: 'again',
      created_at: T + 20,
      destroyed_at: null,
    });
  });

  it('a topic created before its group was destroyed ends with the group, whatever the order', async () => {
    await applyAll(db(), [
      sampleJob('Group.CallbackAfterGroupDestroyed', { EventTime: T + 10 }),
      sampleJob(C, { EventTime: T }),
      sampleJob(C, { EventTime: T + 20, TopicId: `${G}@TOPIC#_later` }),
    ]);
    expect((await readStore(db(), 'topics')).map((t) => [t.topic_id, t.destroyed_at])).to.deep.equal([
      [`${G}@TOPIC#_later`, null],
      [TOPIC, T + 10],
    ]);
  });
});
