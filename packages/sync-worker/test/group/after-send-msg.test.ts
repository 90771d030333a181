import { expect } from 'chai';
import { applyAll, applyJob, sampleJob } from '../support/jobs.js';
import { SAMPLE_APP, SAMPLE_TIME as T, useStore } from '../support/fixture.js';
import { oneRow, readStore } from '../support/read.js';

const C = 'Group.CallbackAfterSendMsg';
const G = '@TGS#2J4SZEAEL';
const msg = (seq: number, eventTime: number, from = 'jared') =>
  sampleJob(C, {
    MsgSeq: seq,
    EventTime: eventTime,
    MsgTime: Math.floor(eventTime / 1000),
    From_Account: from,
  });

describe(C, () => {
  const store = useStore('send_msg');
  const db = () => store().db;
  const last = async () => {
    const g = await oneRow(db(), 'groups', { group_id: G });
    return [g.last_msg_seq, g.last_msg_from];
  };

  it('applies the documented sample: the last message (MsgTime in seconds)', async () => {
    expect(await applyJob(db(), sampleJob(C))).to.deep.equal({ applied: true });
    expect(await oneRow(db(), 'groups', { group_id: G })).to.include({
      sdk_app_id: SAMPLE_APP,
      type: 'Public',
      last_msg_seq: 123,
      last_msg_at: 1490686222000,
      last_msg_from: 'jared',
    });
  });

  it('the highest MsgSeq wins, not the latest event nor the last delivered', async () => {
    await applyAll(db(), [msg(5, T + 1, 'a'), msg(7, T, 'b'), msg(6, T + 2, 'c')]);
    expect(await last()).to.deep.equal([7, 'b']);
  });

  it('without MsgTime, the event time', async () => {
    await applyJob(db(), sampleJob(C, { MsgTime: undefined }));
    expect(await oneRow(db(), 'groups', { group_id: G })).to.include({ last_msg_at: T });
  });

  it('a topic message (TopicId) is skipped with its reason and writes nothing', async () => {
    const result = await applyJob(db(), sampleJob(C, { TopicId: '@TGS#_g@TOPIC#_t' }));
    expect(result).to.deep.equal({
      skipped: 'message in topic @TGS#_g@TOPIC#_t: topics have no last message',
    });
    expect(await readStore(db(), 'groups')).to.deep.equal([]);
  });

  it('a re-created group counts its messages afresh: only messages since its latest creation', async () => {
    await applyAll(db(), [
      msg(2, T + 30, 'new'), // the new group's second message, first delivered
      msg(90, T + 5, 'old'),
      sampleJob('Group.CallbackAfterCreateGroup', { EventTime: T }),
      sampleJob('Group.CallbackAfterGroupDestroyed', { EventTime: T + 10 }),
      msg(1, T + 25, 'new1'),
    ]);
    expect(await last()).to.deep.equal([90, 'old']); // the re-creation has not arrived yet
    await applyJob(db(), sampleJob('Group.CallbackAfterCreateGroup', { EventTime: T + 20 }));
    expect(await last()).to.deep.equal([2, 'new']);
    // once created with no message since, there is no last message
    await applyJob(db(), sampleJob('Group.CallbackAfterCreateGroup', { EventTime: T + 40, Name: 'third' }));
    expect(await last()).to.deep.equal([null, null]);
  });
});
