import { array, object, string, type InferType } from 'yup';
import { account, groupHead, groupIdAlias, optionalAccount } from '../common.js';

/** Group.CallbackAfterGroupDestroyed: the group was dismissed. No MemberList for Community groups. */
export const GroupAfterGroupDestroyed = object({
  ...groupHead,
  Owner_Account: optionalAccount(),
  Name: string().optional(),
  MemberList: array()
    .of(object({ Member_Account: account() }))
    .optional(),
}).transform(groupIdAlias());
export type GroupAfterGroupDestroyed = InferType<typeof GroupAfterGroupDestroyed>;
