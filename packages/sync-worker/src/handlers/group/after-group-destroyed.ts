import {
  GROUP,
  recordDestroy,
  refreshEndedMemberships,
  refreshEndedTopics,
  upsertGroup,
} from '../../stores/groups.js';
import { write } from '../../stores/lww.js';
import { APPLIED, atOf, type Handler } from '../types.js';
import { groupKey, typeWrite } from './common.js';

/**
 * The group is destroyed: every membership and every topic that began before the destroy ends. The
 * MemberList is not needed for that (Community groups do not send it).
 */
export const afterGroupDestroyed: Handler<'Group.CallbackAfterGroupDestroyed'> = async (buffer, e) => {
  const ev = e.event;
  const key = groupKey(e, ev.GroupId);
  const at = atOf(e);
  const v = e.version;
  await upsertGroup(buffer, key, [
    ...typeWrite(e, ev.Type),
    ...(ev.Name !== undefined ? [write(GROUP.name, v, { name: ev.Name })] : []),
    ...(ev.Owner_Account !== undefined ? [write(GROUP.owner, v, { owner_account: ev.Owner_Account })] : []),
    write(GROUP.destroyed, v, { last_destroyed_at: at }),
  ]);
  await recordDestroy(buffer, key, v, at, ev.Operator_Account ?? null);
  await refreshEndedMemberships(buffer, key);
  await refreshEndedTopics(buffer, key);
  return APPLIED;
};
