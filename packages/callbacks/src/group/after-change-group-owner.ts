import { object, type InferType } from 'yup';
import { account, groupHead, groupIdAlias } from '../common.js';

/** Group.CallbackAfterChangeGroupOwner: ownership moved from OldOwner_Account to NewOwner_Account. */
export const GroupAfterChangeGroupOwner = object({
  ...groupHead,
  NewOwner_Account: account(),
  OldOwner_Account: account(),
}).transform(groupIdAlias());
export type GroupAfterChangeGroupOwner = InferType<typeof GroupAfterChangeGroupOwner>;
