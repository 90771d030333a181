import { object, string, type InferType } from 'yup';
import { groupHead, memberList } from '../common.js';

/** Group.CallbackAfterNewMemberJoin: members joined (approved request, invitation, REST add). */
export const GroupAfterNewMemberJoin = object({
  ...groupHead,
  JoinType: string().optional(),
  NewMemberList: memberList(),
}).from('groupID', 'GroupId');
export type GroupAfterNewMemberJoin = InferType<typeof GroupAfterNewMemberJoin>;
