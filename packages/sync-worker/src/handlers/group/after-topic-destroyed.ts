import { write } from '../../stores/lww.js';
import { TOPIC } from '../../stores/others.js';
import { APPLIED, atOf, type Handler } from '../types.js';
import { upsertTopics } from './topics.js';

/** Each listed topic is destroyed. */
export const afterTopicDestroyed: Handler<'Group.CallbackAfterTopicDestroyed'> = async (buffer, e) => {
  const ev = e.event;
  const ids = [...new Set(ev.TopicIdList)];
  if (ids.length === 0) return { skipped: 'no TopicIdList in the event' };
  await upsertTopics(
    buffer,
    e,
    ev,
    ids.map((topicId) => ({
      topicId,
      writes: [write(TOPIC.destroyed, e.version, { last_destroyed_at: atOf(e) })],
    })),
  );
  return APPLIED;
};
