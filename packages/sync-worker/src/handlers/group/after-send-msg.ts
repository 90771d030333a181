import { upsertGroup } from '../../stores/groups.js';
import { APPLIED, type Handler } from '../types.js';
import { groupKey, typeWrite } from './common.js';

/**
 * The group's last message: the highest MsgSeq (not the latest event) among the messages sent since the
 * group's latest creation. Topic messages have their own sequence and are not tracked on the group.
 */
export const afterSendMsg: Handler<'Group.CallbackAfterSendMsg'> = async (buffer, e) => {
  const ev = e.event;
  if (ev.TopicId) return { skipped: `message in topic ${ev.TopicId}: topics have no last message` };
  await upsertGroup(buffer, groupKey(e, ev.GroupId), typeWrite(e, ev.Type), {
    msg: {
      seq: ev.MsgSeq,
      version: e.version,
      at: ev.MsgTime !== undefined ? ev.MsgTime * 1000 : e.eventTime,
      from: ev.From_Account,
    },
  });
  return APPLIED;
};
