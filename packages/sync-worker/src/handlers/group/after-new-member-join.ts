import { MEMBER, refreshEndedMemberships, upsertGroup, upsertMembers } from '../../stores/groups.js';
import { write } from '../../stores/lww.js';
import { APPLIED, atOf, type Handler } from '../types.js';
import { accountsOf, groupKey, typeWrite } from './common.js';

/**
 * Each new member joins as 'Member', with its JoinType and who let it in (Operator_Account). A join starts
 * the membership afresh: a name card from before it (an earlier membership) is cleared.
 */
export const afterNewMemberJoin: Handler<'Group.CallbackAfterNewMemberJoin'> = async (buffer, e) => {
  const ev = e.event;
  const key = groupKey(e, ev.GroupId);
  const at = atOf(e);
  const v = e.version;
  await upsertGroup(buffer, key, typeWrite(e, ev.Type));
  const accounts = accountsOf(ev.NewMemberList);
  await upsertMembers(
    buffer,
    key,
    accounts.map((account) => ({
      account,
      writes: [
        write(MEMBER.role, v, { role: 'Member' }),
        write(MEMBER.nameCard, v, { name_card: null }),
        write(MEMBER.joined, v, { joined_at: at, join_type: ev.JoinType ?? null }),
        write(MEMBER.membership, v, {
          membership: 'joined',
          membership_at: at,
          membership_exit_type: null,
          membership_operator: ev.Operator_Account ?? null,
        }),
      ],
    })),
  );
  await refreshEndedMemberships(buffer, key, accounts);
  return APPLIED;
};
