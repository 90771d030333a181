import { expect } from 'chai';
import { applyAll, applyJob, sampleJob } from '../support/jobs.js';
import { SAMPLE_APP, SAMPLE_TIME as T, useStore } from '../support/fixture.js';
import { oneRow, readStore } from '../support/read.js';

const C = 'Group.CallbackAfterTopicInfoChanged';
const G = '@TGS#2J4SZEAEL';
const TOPIC = `${G}@TOPIC#_t`;

describe(C, () => {
  const store = useStore('topic_info_changed');
  const db = () => store().db;

  it('the documented sample has no TopicId: skipped with its reason, nothing written', async () => {
    expect(await applyJob(db(), sampleJob(C))).to.deep.equal({
      skipped: 'no TopicId in the event: the topic cannot be identified',
    });
    expect(await readStore(db(), 'topics')).to.deep.equal([]);
    expect(await readStore(db(), 'groups')).to.deep.equal([]);
  });

  it('with a TopicId: the fields it carries', async () => {
    await applyJob(
      db(),
      sampleJob('Group.CallbackAfterCreateTopic', { GroupId: G, TopicId: TOPIC, EventTime: T - 1 }),
    );
    expect(await applyJob(db(), sampleJob(C, { TopicId: TOPIC, EventTime: T }))).to.deep.equal({
      applied: true,
    });
    expect(await oneRow(db(), 'topics', { topic_id: TOPIC })).to.deep.equal({
      sdk_app_id: SAMPLE_APP,
      group_id: G,
      topic_id: TOPIC,
      name: 'TestTopic',
      introduction: 'TestIntroduction',
      notification: 'NewNotification',
      face_url: 'http://this.is.face.url',
      owner_account: 'leckie',
      custom_data: { UserDefined1: 'hello', UserDefined2: 'world' },
      created_at: T - 1,
      destroyed_at: null,
    });
  });

  it('each field on its own, the latest event wins', async () => {
    const only = (field: string, value: string, t: number) =>
      sampleJob(C, {
        TopicId: TOPIC,
        Name: undefined,
        Introduction: undefined,
        Notification: undefined,
        FaceUrl: undefined,
        [field]: value,
        EventTime: t,
      });
    await applyAll(db(), [
      only('Name', 'late', T + 2),
      only('Name', 'early', T + 1),
      only('FaceUrl', 'http://f', T),
    ]);
    expect(await oneRow(db(), 'topics', { topic_id: TOPIC })).to.include({
      name: 'late',
      face_url: 'http://f',
      introduction: null,
    });
  });

  it('a TopicId but no field: skipped', async () => {
    const result = await applyJob(
      db(),
      sampleJob(C, {
        TopicId: TOPIC,
        Name: undefined,
        Introduction: undefined,
        Notification: undefined,
        FaceUrl: undefined,
      }),
    );
    expect(result).to.deep.equal({ skipped: 'no changed field in the event' });
  });
});
