import { object, type InferType } from 'yup';
import { eventTime } from '../common.js';
import { pairList } from './pairs.js';

/** Sns.CallbackBlackListDelete: To_Account was removed from From_Account's blocklist. */
export const SnsBlackListDelete = object({
  EventTime: eventTime().optional(),
  PairList: pairList(),
});
export type SnsBlackListDelete = InferType<typeof SnsBlackListDelete>;
