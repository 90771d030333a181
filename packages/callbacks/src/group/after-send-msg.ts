import { array, number, object, string, type InferType } from 'yup';
import { account, groupHead, groupIdAlias, topicId } from '../common.js';

/** Group.CallbackAfterSendMsg: a group message was sent. Only the last-message bookkeeping is synced. */
export const GroupAfterSendMsg = object({
  ...groupHead,
  From_Account: account(),
  // stored as bigint; past 2^53 a JSON number is no longer exact anyway
  MsgSeq: number().integer().min(0).max(Number.MAX_SAFE_INTEGER).required(),
  // seconds; the last second of year 9999, as EventTime
  MsgTime: number()
    .integer()
    .min(0)
    .max(253_402_300_799, '${path} must be a time before the year 10000 (seconds)')
    .optional(),
  MsgId: string().optional(),
  Random: number().optional(),
  TopicId: topicId().optional(),
  MsgBody: array().optional(),
}).transform(groupIdAlias());
export type GroupAfterSendMsg = InferType<typeof GroupAfterSendMsg>;
