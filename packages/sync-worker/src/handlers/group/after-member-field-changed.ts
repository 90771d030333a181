import { MEMBER, upsertGroup, upsertMembers } from '../../stores/groups.js';
import { write } from '../../stores/lww.js';
import { APPLIED, type Handler } from '../types.js';
import { groupKey, typeWrite } from './common.js';

/** A member's role and/or name card, each on its own. */
export const afterMemberFieldChanged: Handler<'Group.CallbackAfterMemberFieldChanged'> = async (
  buffer,
  e,
) => {
  const ev = e.event;
  const key = groupKey(e, ev.GroupId);
  const v = e.version;
  const writes = [
    ...(ev.Role !== undefined ? [write(MEMBER.role, v, { role: ev.Role })] : []),
    ...(ev.NameCard !== undefined ? [write(MEMBER.nameCard, v, { name_card: ev.NameCard })] : []),
  ];
  if (writes.length === 0) return { skipped: 'neither Role nor NameCard in the event' };
  await upsertGroup(buffer, key, typeWrite(e, ev.Type));
  await upsertMembers(buffer, key, [{ account: ev.Member_Account, writes }]);
  return APPLIED;
};
