import { object, string, type InferType } from 'yup';
import { account, groupHead, groupIdAlias, renameKey } from '../common.js';

/**
 * Group.CallbackAfterMemberFieldChanged: a member's role and/or name card changed. The Chinese docs name
 * the member `Modified_Account`, the English ones `Member_Account`; both become `Member_Account`.
 */
export const GroupAfterMemberFieldChanged = object({
  ...groupHead,
  Member_Account: account(),
  Role: string().oneOf(['Owner', 'Admin', 'Member']).optional(),
  NameCard: string().optional(),
})
  .transform(groupIdAlias())
  .transform(renameKey('Modified_Account', 'Member_Account'));
export type GroupAfterMemberFieldChanged = InferType<typeof GroupAfterMemberFieldChanged>;
