import { MEMBER, upsertGroup, upsertMembers } from '../../stores/groups.js';
import { write } from '../../stores/lww.js';
import { APPLIED, type Handler } from '../types.js';
import { accountsOf, groupKey, typeWrite } from './common.js';

/** AVChatRoom presence: each listed member is online or offline. */
export const onMemberStateChange: Handler<'Group.CallbackOnMemberStateChange'> = async (buffer, e) => {
  const ev = e.event;
  const key = groupKey(e, ev.GroupId);
  await upsertGroup(buffer, key, typeWrite(e, ev.Type));
  const online = ev.EventType === 'Online';
  await upsertMembers(
    buffer,
    key,
    accountsOf(ev.MemberList).map((account) => ({
      account,
      writes: [write(MEMBER.online, e.version, { online })],
    })),
  );
  return APPLIED;
};
