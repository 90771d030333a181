import { array, mixed, object, string, type InferType } from 'yup';
import { envelope, int, keyValueList } from './common.js';

export interface GroupInfoFilter {
  GroupBaseInfoFilter?: string[];
  MemberInfoFilter?: string[];
  AppDefinedDataFilter_Group?: string[];
  AppDefinedDataFilter_GroupMember?: string[];
}

/** `group_open_http_svc/get_group_info` request: at most 50 groups (the client splits longer lists). */
export interface GetGroupInfoRequest {
  GroupIdList: string[];
  ResponseFilter?: GroupInfoFilter;
}

/** One group of the answer; when `ErrorCode` is not 0 only `GroupId`, `ErrorCode`, `ErrorInfo` are set. */
export const GroupInfo = object({
  GroupId: string().required(),
  ErrorCode: int().defined().default(0),
  ErrorInfo: string().defined().default(''),
  /** Public, Private/Work, ChatRoom/Meeting, AVChatRoom, BChatRoom, Community: both spellings happen. */
  Type: string().optional(),
  Name: string().optional(),
  Introduction: string().optional(),
  Notification: string().optional(),
  FaceUrl: string().optional(),
  Owner_Account: string().optional(),
  CreateTime: int().optional(),
  InfoSeq: int().optional(),
  LastInfoTime: int().optional(),
  LastMsgTime: int().optional(),
  NextMsgSeq: int().optional(),
  MemberNum: int().optional(),
  MaxMemberNum: int().optional(),
  ApplyJoinOption: string().optional(),
  AppDefinedData: keyValueList(),
  MemberList: array().of(mixed<Record<string, unknown>>().defined()).optional(),
});
export type GroupInfo = InferType<typeof GroupInfo>;

export const GetGroupInfoResponse = object({
  ...envelope,
  GroupInfo: array().of(GroupInfo).defined().default([]),
});
export type GetGroupInfoResponse = InferType<typeof GetGroupInfoResponse>;
