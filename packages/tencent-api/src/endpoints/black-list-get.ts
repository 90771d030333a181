import { array, object, string, type InferType } from 'yup';
import { envelope, int } from './common.js';

/** `sns/black_list_get` request: one user's blocklist, a page from `StartIndex`. */
export interface BlackListGetRequest {
  From_Account: string;
  StartIndex: number;
  /** At most 1000 (a blocklist holds at most 1000 entries). */
  MaxLimited: number;
  /** REST callers send 0. */
  LastSequence: number;
}

export const BlackListItem = object({
  To_Account: string().required(),
  /** Unix seconds. */
  AddBlackTimeStamp: int().defined().default(0),
});
export type BlackListItem = InferType<typeof BlackListItem>;

export const BlackListGetResponse = object({
  ...envelope,
  BlackListItem: array().of(BlackListItem).defined().default([]),
  /** The next page's start; 0 = done. */
  StartIndex: int().defined().default(0),
  /** Spelled both ways on Tencent's doc pages. */
  CurruentSequence: int().optional(),
  CurrentSequence: int().optional(),
  ErrorDisplay: string().optional(),
});
export type BlackListGetResponse = InferType<typeof BlackListGetResponse>;
