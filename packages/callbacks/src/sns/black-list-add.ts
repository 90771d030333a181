import { object, type InferType } from 'yup';
import { eventTime } from '../common.js';
import { pairList } from './pairs.js';

/** Sns.CallbackBlackListAdd: To_Account was added to From_Account's blocklist. */
export const SnsBlackListAdd = object({
  EventTime: eventTime().optional(),
  PairList: pairList(),
});
export type SnsBlackListAdd = InferType<typeof SnsBlackListAdd>;
