import { GROUP, upsertGroup } from '../../stores/groups.js';
import { write } from '../../stores/lww.js';
import { APPLIED, atOf, type Handler } from '../types.js';
import { groupKey, typeWrite } from './common.js';

/** The group was (found) full: full_at is the latest such time. A private topic's full event is not tracked. */
export const afterGroupFull: Handler<'Group.CallbackAfterGroupFull'> = async (buffer, e) => {
  const ev = e.event;
  if (ev.TopicId) return { skipped: `topic ${ev.TopicId} is full: topics have no full_at` };
  await upsertGroup(buffer, groupKey(e, ev.GroupId), [
    ...typeWrite(e, ev.Type),
    write(GROUP.full, e.version, { full_at: atOf(e) }),
  ]);
  return APPLIED;
};
