import { array, object, string, type InferType } from 'yup';
import { envelope, int } from './common.js';

/** The group types `get_appid_group_list` can filter on (older names included). */
export type GroupTypeFilter =
  'Public' | 'Private' | 'Work' | 'ChatRoom' | 'Meeting' | 'AVChatRoom' | 'BChatRoom' | 'Community';

/** `group_open_http_svc/get_appid_group_list` request: every field optional. */
export interface GetAppidGroupListRequest {
  /** At most 10000 (Tencent's default). */
  Limit?: number;
  /** 0 first, then the previous answer's `Next`. */
  Next?: number;
  GroupType?: GroupTypeFilter;
}

export const GetAppidGroupListResponse = object({
  ...envelope,
  TotalCount: int().defined().default(0),
  GroupIdList: array()
    .of(object({ GroupId: string().required() }))
    .defined()
    .default([]),
  /** 0 = every group ID pulled. */
  Next: int().defined().default(0),
});
export type GetAppidGroupListResponse = InferType<typeof GetAppidGroupListResponse>;
