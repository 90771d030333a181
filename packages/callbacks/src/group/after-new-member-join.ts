import { object, string, type InferType } from 'yup';
import { groupHead, memberList, groupIdAlias } from '../common.js';

/** Group.CallbackAfterNewMemberJoin: members joined (approved request, invitation, REST add). */
export const GroupAfterNewMemberJoin = object({
  ...groupHead,
  JoinType: string().optional(),
  NewMemberList: memberList(),
}).transform(groupIdAlias());
export type GroupAfterNewMemberJoin = InferType<typeof GroupAfterNewMemberJoin>;
