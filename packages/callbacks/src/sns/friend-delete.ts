import { object, type InferType } from 'yup';
import { eventTime } from '../common.js';
import { pairList } from './pairs.js';

/** Sns.CallbackFriendDelete: To_Account was removed from From_Account's friend list. */
export const SnsFriendDelete = object({
  EventTime: eventTime().optional(),
  PairList: pairList(),
});
export type SnsFriendDelete = InferType<typeof SnsFriendDelete>;
