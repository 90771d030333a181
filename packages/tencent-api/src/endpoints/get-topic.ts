import { array, mixed, object, string, type InferType } from 'yup';
import { envelope, int, keyValueList } from './common.js';

/** `million_group_open_http_svc/get_topic` request: a Community group; `From_Account` is required. */
export interface GetTopicRequest {
  GroupId: string;
  From_Account: string;
  TopicIdList?: string[];
}

export const TopicInfo = object({
  TopicId: string().required(),
  TopicName: string().optional(),
  /** Note the casing Tencent uses here. */
  GroupID: string().optional(),
  FaceUrl: string().optional(),
  Introduction: string().optional(),
  Notification: string().optional(),
  CustomString: string().optional(),
  CreateTime: int().optional(),
  LastMsgTime: int().optional(),
  NextMsgSeq: int().optional(),
  ShutUpAllFlag: int().optional(),
  AppDefinedData: keyValueList(),
});
export type TopicInfo = InferType<typeof TopicInfo>;

export const TopicAndSelfInfo = object({
  ErrorCode: int().defined().default(0),
  ErrorInfo: string().defined().default(''),
  TopicInfo: TopicInfo.default(undefined).optional(),
  SelfInfo: mixed<Record<string, unknown>>().optional(),
});
export type TopicAndSelfInfo = InferType<typeof TopicAndSelfInfo>;

export const GetTopicResponse = object({
  ...envelope,
  TopicAndSelfInfo: array().of(TopicAndSelfInfo).defined().default([]),
});
export type GetTopicResponse = InferType<typeof GetTopicResponse>;
