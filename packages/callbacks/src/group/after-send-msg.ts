import { array, number, object, string, type InferType } from 'yup';
import { account, groupHead, groupIdAlias } from '../common.js';

/** Group.CallbackAfterSendMsg: a group message was sent. Only the last-message bookkeeping is synced. */
export const GroupAfterSendMsg = object({
  ...groupHead,
  From_Account: account(),
  MsgSeq: number().integer().min(0).required(),
  MsgTime: number().integer().min(0).optional(),
  MsgId: string().optional(),
  Random: number().optional(),
  TopicId: string().optional(),
  MsgBody: array().optional(),
}).transform(groupIdAlias());
export type GroupAfterSendMsg = InferType<typeof GroupAfterSendMsg>;
