import type { AnyObjectSchema, InferType } from 'yup';
import { AccountCheckResponse, type AccountCheckRequest } from './endpoints/account-check.js';
import { BlackListGetResponse, type BlackListGetRequest } from './endpoints/black-list-get.js';
import { FriendGetResponse, type FriendGetRequest } from './endpoints/friend-get.js';
import {
  GetAppidGroupListResponse,
  type GetAppidGroupListRequest,
} from './endpoints/get-appid-group-list.js';
import { GetGroupAttrResponse, type GetGroupAttrRequest } from './endpoints/get-group-attr.js';
import { GetGroupInfoResponse, type GetGroupInfoRequest } from './endpoints/get-group-info.js';
import {
  GetGroupMemberInfoResponse,
  type GetGroupMemberInfoRequest,
} from './endpoints/get-group-member-info.js';
import { GetTopicResponse, type GetTopicRequest } from './endpoints/get-topic.js';
import { PortraitGetResponse, type PortraitGetRequest } from './endpoints/portrait-get.js';
import { QueryOnlineStatusResponse, type QueryOnlineStatusRequest } from './endpoints/query-online-status.js';

/**
 * The REST endpoints the client calls, keyed by Tencent's command name: the URL path, the limit Tencent
 * documents (calls per second per SDKAppID), the largest batch one call takes, and the answer's schema.
 */
export const ENDPOINTS = {
  get_appid_group_list: {
    path: 'group_open_http_svc/get_appid_group_list',
    documentedRps: 1,
    batch: 10000,
    schema: GetAppidGroupListResponse,
  },
  get_group_info: {
    path: 'group_open_http_svc/get_group_info',
    documentedRps: 200,
    batch: 50,
    schema: GetGroupInfoResponse,
  },
  get_group_member_info: {
    path: 'group_open_http_svc/get_group_member_info',
    documentedRps: 200,
    batch: 200,
    schema: GetGroupMemberInfoResponse,
  },
  get_group_attr: {
    path: 'group_open_attr_http_svc/get_group_attr',
    documentedRps: 200,
    batch: 1,
    schema: GetGroupAttrResponse,
  },
  get_topic: {
    path: 'million_group_open_http_svc/get_topic',
    documentedRps: 200,
    batch: 1,
    schema: GetTopicResponse,
  },
  query_online_status: {
    path: 'openim/query_online_status',
    documentedRps: 200,
    batch: 500,
    schema: QueryOnlineStatusResponse,
  },
  portrait_get: { path: 'profile/portrait_get', documentedRps: 200, batch: 100, schema: PortraitGetResponse },
  account_check: {
    path: 'im_open_login_svc/account_check',
    documentedRps: 100,
    batch: 100,
    schema: AccountCheckResponse,
  },
  friend_get: { path: 'sns/friend_get', documentedRps: 200, batch: 1, schema: FriendGetResponse },
  black_list_get: {
    path: 'sns/black_list_get',
    documentedRps: 200,
    batch: 1000,
    schema: BlackListGetResponse,
  },
} as const satisfies Record<
  string,
  { path: string; documentedRps: number; batch: number; schema: AnyObjectSchema }
>;

/** A REST endpoint by its command name (`'get_group_info'`): also the `endpoint` label of metrics. */
export type Endpoint = keyof typeof ENDPOINTS;
export const ENDPOINT_NAMES = Object.keys(ENDPOINTS) as Endpoint[];

/** The request body each endpoint takes. */
export interface Requests {
  get_appid_group_list: GetAppidGroupListRequest;
  get_group_info: GetGroupInfoRequest;
  get_group_member_info: GetGroupMemberInfoRequest;
  get_group_attr: GetGroupAttrRequest;
  get_topic: GetTopicRequest;
  query_online_status: QueryOnlineStatusRequest;
  portrait_get: PortraitGetRequest;
  account_check: AccountCheckRequest;
  friend_get: FriendGetRequest;
  black_list_get: BlackListGetRequest;
}

/** The validated answer of each endpoint. */
export type Responses = { [E in Endpoint]: InferType<(typeof ENDPOINTS)[E]['schema']> };
