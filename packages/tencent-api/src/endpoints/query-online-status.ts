import { array, object, string, type InferType } from 'yup';
import { envelope, int } from './common.js';

/** `openim/query_online_status` request: at most 500 accounts (the client splits longer lists). */
export interface QueryOnlineStatusRequest {
  To_Account: string[];
  IsNeedDetail?: 0 | 1;
}

export const OnlineStatusResult = object({
  To_Account: string().required(),
  /** Online | PushOnline | Offline (kept as a string: Tencent may add states). */
  Status: string().required(),
  Detail: array()
    .of(object({ Platform: string().defined().default(''), Status: string().defined().default('') }))
    .optional(),
});
export type OnlineStatusResult = InferType<typeof OnlineStatusResult>;

export const QueryOnlineStatusResponse = object({
  ...envelope,
  QueryResult: array().of(OnlineStatusResult).defined().default([]),
  /** 70107: the account does not exist. */
  ErrorList: array()
    .of(object({ To_Account: string().required(), ErrorCode: int().required() }))
    .defined()
    .default([]),
});
export type QueryOnlineStatusResponse = InferType<typeof QueryOnlineStatusResponse>;
