import { array, object, string, type InferType } from 'yup';
import { envelope, int, scalarOrList } from './common.js';

/** `sns/friend_get` request: one user's friends, a page from `StartIndex`. */
export interface FriendGetRequest {
  From_Account: string;
  StartIndex: number;
  /** Send 0 (or omit) for a full pull: an equal sequence makes Tencent leave standard data out. */
  StandardSequence?: number;
  CustomSequence?: number;
}

export const FriendItem = object({
  To_Account: string().required(),
  /** `Tag_SNS_IM_AddSource`, `Tag_SNS_IM_Remark`, `Tag_SNS_IM_Group` (a list), `Tag_SNS_IM_AddTime`, ... */
  ValueItem: array()
    .of(object({ Tag: string().required(), Value: scalarOrList().defined() }))
    .defined()
    .default([]),
});
export type FriendItem = InferType<typeof FriendItem>;

export const FriendGetResponse = object({
  ...envelope,
  UserDataItem: array().of(FriendItem).defined().default([]),
  StandardSequence: int().optional(),
  CustomSequence: int().optional(),
  FriendNum: int().optional(),
  /** Non-zero: every friend pulled. */
  CompleteFlag: int().defined().default(1),
  NextStartIndex: int().defined().default(0),
  ErrorDisplay: string().optional(),
});
export type FriendGetResponse = InferType<typeof FriendGetResponse>;
