import { object, string, type InferType } from 'yup';
import { groupHead, memberList, groupIdAlias } from '../common.js';

/** Group.CallbackAfterMemberExit: members quit or were kicked (`ExitType` Quit / Kicked). */
export const GroupAfterMemberExit = object({
  ...groupHead,
  ExitType: string().optional(),
  ExitMemberList: memberList(),
}).transform(groupIdAlias());
export type GroupAfterMemberExit = InferType<typeof GroupAfterMemberExit>;
