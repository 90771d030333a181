import { MEMBER, refreshEndedMemberships, upsertGroup, upsertMembers } from '../../stores/groups.js';
import { write } from '../../stores/lww.js';
import { APPLIED, atOf, type Handler } from '../types.js';
import { accountsOf, groupKey, typeWrite } from './common.js';

/** Each member leaves, with its ExitType (Quit or Kicked) and who made it leave (Operator_Account). */
export const afterMemberExit: Handler<'Group.CallbackAfterMemberExit'> = async (buffer, e) => {
  const ev = e.event;
  const key = groupKey(e, ev.GroupId);
  const at = atOf(e);
  await upsertGroup(buffer, key, typeWrite(e, ev.Type));
  const accounts = accountsOf(ev.ExitMemberList);
  await upsertMembers(
    buffer,
    key,
    accounts.map((account) => ({
      account,
      writes: [
        write(MEMBER.membership, e.version, {
          membership: 'left',
          membership_at: at,
          membership_exit_type: ev.ExitType ?? null,
          membership_operator: ev.Operator_Account ?? null,
        }),
      ],
    })),
  );
  await refreshEndedMemberships(buffer, key, accounts);
  return APPLIED;
};
