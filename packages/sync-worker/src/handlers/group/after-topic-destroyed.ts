import { write } from '../../stores/lww.js';
import { TOPIC, upsertTopics } from '../../stores/topics.js';
import { APPLIED, atOf, type Handler } from '../types.js';
import { groupKey, typeWrite } from './common.js';

/** Each listed topic is destroyed. */
export const afterTopicDestroyed: Handler<'Group.CallbackAfterTopicDestroyed'> = async (buffer, e) => {
  const ev = e.event;
  const ids = [...new Set(ev.TopicIdList)];
  if (ids.length === 0) return { skipped: 'no TopicIdList in the event' };
  await upsertTopics(
    buffer,
    groupKey(e, ev.GroupId),
    e.version,
    typeWrite(e, ev.Type),
    ids.map((topicId) => ({
      topicId,
      writes: [write(TOPIC.destroyed, e.version, { last_destroyed_at: atOf(e) })],
    })),
  );
  return APPLIED;
};
