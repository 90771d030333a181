import { expect } from 'chai';
import { applyAll, applyJob, sampleJob } from '../support/jobs.js';
import { SAMPLE_APP, SAMPLE_TIME as T, useStore } from '../support/fixture.js';
import { oneRow } from '../support/read.js';

const C = 'Group.CallbackAfterGroupInfoChanged';
const G = '@TGS#2J4SZEAEL';

describe(C, () => {
  const store = useStore('group_info_changed');
  const db = () => store().db;
  const info = async () => {
    const g = await oneRow(db(), 'groups', { group_id: G });
    return [g.name, g.introduction, g.notification, g.face_url];
  };

  it('applies the documented sample: only the Notification it carries', async () => {
    await applyJob(db(), sampleJob('Group.CallbackAfterCreateGroup', { EventTime: T - 1 }));
    expect(await applyJob(db(), sampleJob(C))).to.deep.equal({ applied: true });
    expect(await oneRow(db(), 'groups', { group_id: G })).to.deep.include({
      sdk_app_id: SAMPLE_APP,
      type: 'Public',
      name: 'MyFirstGroup',
      introduction: null,
      notification: 'NewNotification',
      face_url: null,
      owner_account: 'leckie',
    });
  });

  it('each field on its own: Name, Introduction, Notification, FaceUrl', async () => {
    await applyAll(db(), [
      sampleJob(C, { Notification: undefined, Name: 'n', EventTime: T + 1 }),
      sampleJob(C, { Notification: undefined, Introduction: 'i', EventTime: T + 2 }),
      sampleJob(C, { Notification: undefined, FaceUrl: 'http://f', EventTime: T + 3 }),
      sampleJob(C, { Notification: 'x', EventTime: T + 4 }),
    ]);
    expect(await info()).to.deep.equal(['n', 'i', 'x', 'http://f']);
  });

  it('per field, the latest event wins whatever the order; a field set to "" is kept as ""', async () => {
    await applyAll(db(), [
      sampleJob(C, { Name: 'late', Notification: '', EventTime: T + 10 }),
      sampleJob(C, { Name: 'early', Introduction: 'i', EventTime: T + 5 }),
    ]);
    expect(await info()).to.deep.equal(['late', 'i', '', null]);
  });

  it('a change after a destroy is kept (the group stays destroyed)', async () => {
    await applyAll(db(), [
      sampleJob('Group.CallbackAfterGroupDestroyed', { EventTime: T - 1 }),
      sampleJob(C),
    ]);
    expect(await oneRow(db(), 'groups', { group_id: G })).to.include({
      notification: 'NewNotification',
      destroyed_at: T - 1,
    });
  });
});
