export { TencentApiClient, type TencentApiClientOptions } from './client.js';
export type { GroupIdPagesOptions, GroupMemberOptions } from './group-reads.js';
export {
  parseTencentApiEnv,
  parseSecretKeys,
  clientOptionsFor,
  TENCENT_API_ENV,
  DEFAULT_BASE_URL,
  DEFAULT_ADMIN_ACCOUNT,
  DEFAULT_MAX_RPS,
  type AppKey,
  type TencentApiSettings,
} from './config.js';
export { ENDPOINTS, ENDPOINT_NAMES, type Endpoint, type Requests, type Responses } from './endpoints.js';
export {
  TencentApiError,
  classifyCode,
  isGroupGone,
  RATE_LIMIT_CODES,
  TRANSIENT_CODES,
  AUTH_CODES,
  USERSIG_EXPIRED_CODE,
  GROUP_GONE_CODE,
  NO_SUCH_ACCOUNT_CODES,
  type ErrorClass,
} from './errors.js';
export { Secret } from './secret.js';
export { genUserSig, decodeUserSig, userSigHmac, type UserSigDoc, type UserSigInput } from './usersig.js';
export type {
  AccountCheckResult,
  AccountScoped,
  BlackListResult,
  CallEvent,
  CallResult,
  CallStats,
  FriendsResult,
  GroupAttrs,
  GroupIdPage,
  GroupInfoResult,
  GroupMembers,
  GroupScoped,
  ItemError,
  MemberPage,
  OnlineStatusItem,
  ProfileResult,
  Topics,
} from './types.js';
export type { GetAppidGroupListRequest, GroupTypeFilter } from './endpoints/get-appid-group-list.js';
export type { GetGroupInfoRequest, GroupInfoFilter, GroupInfo } from './endpoints/get-group-info.js';
export type { GetGroupMemberInfoRequest, GroupMember } from './endpoints/get-group-member-info.js';
export type { GetGroupAttrRequest } from './endpoints/get-group-attr.js';
export type { GetTopicRequest, TopicInfo, TopicAndSelfInfo } from './endpoints/get-topic.js';
export type { QueryOnlineStatusRequest, OnlineStatusResult } from './endpoints/query-online-status.js';
export type { PortraitGetRequest, ProfileItem, UserProfileItem } from './endpoints/portrait-get.js';
export type { AccountCheckRequest, AccountCheckItem } from './endpoints/account-check.js';
export type { FriendGetRequest, FriendItem } from './endpoints/friend-get.js';
export type { BlackListGetRequest, BlackListItem } from './endpoints/black-list-get.js';
