import { array, object, string, type InferType } from 'yup';
import { envelope, int, keyValueList } from './common.js';

/**
 * `group_open_http_svc/get_group_member_info` request. Non-Community groups page with `Limit` (≤ 200) and
 * `Offset`; Community groups with `Limit` and the string `Next` ("" first, then the answer's `Next`).
 */
export interface GetGroupMemberInfoRequest {
  GroupId: string;
  Limit?: number;
  Offset?: number;
  /** Community only: a decimal string that can exceed 2^53; never parse it as a number. */
  Next?: string;
  MemberInfoFilter?: string[];
  MemberRoleFilter?: ('Owner' | 'Admin' | 'Member')[];
  AppDefinedDataFilter_GroupMember?: string[];
}

export const GroupMember = object({
  Member_Account: string().required(),
  Role: string().optional(),
  JoinTime: int().optional(),
  MsgSeq: int().optional(),
  MsgFlag: string().optional(),
  LastSendMsgTime: int().optional(),
  /** Newer docs; older ones call it `ShutUpUntil`. 0 = not muted. */
  MuteUntil: int().optional(),
  ShutUpUntil: int().optional(),
  NameCard: string().optional(),
  OnlineStatus: string().optional(),
  AppMemberDefinedData: keyValueList(),
});
export type GroupMember = InferType<typeof GroupMember>;

export const GetGroupMemberInfoResponse = object({
  ...envelope,
  MemberNum: int().defined().default(0),
  MemberList: array().of(GroupMember).defined().default([]),
  /** Community only; "" = every member pulled. */
  Next: string().optional(),
});
export type GetGroupMemberInfoResponse = InferType<typeof GetGroupMemberInfoResponse>;
