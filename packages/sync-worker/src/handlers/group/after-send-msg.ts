import { eventVersion } from '@imsync/callbacks';
import { GROUP, upsertGroup } from '../../stores/groups.js';
import { write } from '../../stores/lww.js';
import { APPLIED, type Handler } from '../types.js';
import { groupKey, typeWrite } from './common.js';

/**
 * The group's last message: the highest MsgSeq wins (not the latest event). Topic messages have their
 * own sequence and are not tracked on the group.
 */
export const afterSendMsg: Handler<'Group.CallbackAfterSendMsg'> = async (tx, e) => {
  const ev = e.event;
  if (ev.TopicId) return { skipped: `message in topic ${ev.TopicId}: topics have no last message` };
  const msgAt = new Date(ev.MsgTime !== undefined ? ev.MsgTime * 1000 : e.eventTime);
  await upsertGroup(tx, groupKey(e, ev.GroupId), [
    ...typeWrite(e, ev.Type),
    write(GROUP.lastMsg, eventVersion(ev.MsgSeq, e.eventKey), {
      last_msg_seq: ev.MsgSeq,
      last_msg_at: msgAt,
      last_msg_from: ev.From_Account,
    }),
  ]);
  return APPLIED;
};
