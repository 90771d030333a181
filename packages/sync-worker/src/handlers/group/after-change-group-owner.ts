import { GROUP, MEMBER, upsertGroup, upsertMembers } from '../../stores/groups.js';
import { write } from '../../stores/lww.js';
import { APPLIED, type Handler } from '../types.js';
import { groupKey, typeWrite } from './common.js';

/** The group's owner changes; the new owner becomes 'Owner', the old one 'Member'. */
export const afterChangeGroupOwner: Handler<'Group.CallbackAfterChangeGroupOwner'> = async (buffer, e) => {
  const ev = e.event;
  const key = groupKey(e, ev.GroupId);
  const v = e.version;
  await upsertGroup(buffer, key, [
    ...typeWrite(e, ev.Type),
    write(GROUP.owner, v, { owner_account: ev.NewOwner_Account }),
  ]);
  await upsertMembers(buffer, key, [
    { account: ev.OldOwner_Account, writes: [write(MEMBER.role, v, { role: 'Member' })] },
    { account: ev.NewOwner_Account, writes: [write(MEMBER.role, v, { role: 'Owner' })] },
  ]);
  return APPLIED;
};
