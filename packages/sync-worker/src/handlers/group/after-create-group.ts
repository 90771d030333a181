import { GROUP, MEMBER, refreshEndedMemberships, upsertGroup, upsertMembers } from '../../stores/groups.js';
import { write } from '../../stores/lww.js';
import { APPLIED, atOf, type Handler } from '../types.js';
import { accountsOf, groupKey, typeWrite } from './common.js';

/**
 * The group, its owner as 'Owner' and its initial members as 'Member', all joined at the event time. A
 * creation sets the group's whole initial state: a group re-created with the same ID after a destroy starts
 * afresh (no introduction, notification or face URL it does not carry, no attributes, not full, no last
 * message), and is alive again; its members start afresh too (no name card from an earlier life).
 */
export const afterCreateGroup: Handler<'Group.CallbackAfterCreateGroup'> = async (buffer, e) => {
  const ev = e.event;
  const key = groupKey(e, ev.GroupId);
  const at = atOf(e);
  const v = e.version;
  const customData = Object.fromEntries((ev.UserDefinedDataList ?? []).map((d) => [d.Key, d.Value]));
  await upsertGroup(
    buffer,
    key,
    [
      ...typeWrite(e, ev.Type),
      write(GROUP.name, v, { name: ev.Name }),
      write(GROUP.introduction, v, { introduction: ev.Introduction ?? null }),
      write(GROUP.notification, v, { notification: ev.Notification ?? null }),
      write(GROUP.faceUrl, v, { face_url: ev.FaceUrl ?? null }),
      write(GROUP.owner, v, { owner_account: ev.Owner_Account ?? null }),
      write(GROUP.created, v, { created_at: at, created_by: ev.Operator_Account, custom_data: customData }),
      write(GROUP.full, v, { full_at: null }),
    ],
    { attrs: { entries: {}, resetV: v } },
  );
  const owner = ev.Owner_Account;
  const accounts = accountsOf(ev.MemberList).filter((a) => a !== owner);
  const members = [
    ...(owner ? [{ account: owner, role: 'Owner' }] : []),
    ...accounts.map((a) => ({ account: a, role: 'Member' })),
  ];
  await upsertMembers(
    buffer,
    key,
    members.map(({ account, role }) => ({
      account,
      writes: [
        write(MEMBER.role, v, { role }),
        write(MEMBER.nameCard, v, { name_card: null }),
        write(MEMBER.joined, v, { joined_at: at, join_type: 'Created' }),
        write(MEMBER.membership, v, {
          membership: 'joined',
          membership_at: at,
          membership_exit_type: null,
          membership_operator: ev.Operator_Account,
        }),
      ],
    })),
  );
  await refreshEndedMemberships(
    buffer,
    key,
    members.map((m) => m.account),
  );
  return APPLIED;
};
