import { array, object, string, type InferType } from 'yup';
import { envelope } from './common.js';

/** `group_open_attr_http_svc/get_group_attr` request: one group. */
export interface GetGroupAttrRequest {
  GroupId: string;
}

export const GetGroupAttrResponse = object({
  ...envelope,
  /** Lower-case `key` / `value`, as Tencent sends them. */
  GroupAttrAry: array()
    .of(object({ key: string().required(), value: string().defined().default('') }))
    .defined()
    .default([]),
});
export type GetGroupAttrResponse = InferType<typeof GetGroupAttrResponse>;
