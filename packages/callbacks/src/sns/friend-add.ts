import { array, number, object, string, type InferType } from 'yup';
import { account, eventTime, optionalAccount } from '../common.js';

/** Sns.CallbackFriendAdd: To_Account was added to From_Account's friend list. */
export const SnsFriendAdd = object({
  EventTime: eventTime().optional(),
  PairList: array()
    .of(
      object({
        From_Account: account(),
        To_Account: account(),
        Initiator_Account: optionalAccount(),
      }),
    )
    .required()
    .min(1),
  ClientCmd: string().optional(),
  Admin_Account: optionalAccount(),
  ForceFlag: number().optional(),
});
export type SnsFriendAdd = InferType<typeof SnsFriendAdd>;
