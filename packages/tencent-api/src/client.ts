import type { Endpoint, Requests, Responses } from './endpoints.js';
import type { GroupTypeFilter } from './endpoints/get-appid-group-list.js';
import type { GroupInfoFilter } from './endpoints/get-group-info.js';
import type { GetGroupMemberInfoRequest } from './endpoints/get-group-member-info.js';
import type { Secret } from './secret.js';
import type {
  AccountCheckResult,
  BlackListResult,
  CallEvent,
  CallStats,
  FriendsResult,
  GroupAttrs,
  GroupIdPage,
  GroupInfoResult,
  GroupMembers,
  GroupScoped,
  MemberPage,
  OnlineStatusItem,
  ProfileResult,
  Topics,
} from './types.js';

export interface TencentApiClientOptions {
  readonly sdkAppId: number;
  /** The app's secret key (HMAC-SHA256 UserSig). Never logged, never in an error. */
  readonly secretKey: Secret;
  /** The variable the key came from, named in the error when Tencent rejects it. Default `IM_SECRET_KEY`. */
  readonly secretKeySetting?: string;
  /** An App admin account. Default `administrator`. */
  readonly adminAccount?: string;
  /** Default `https://console.tim.qq.com`. */
  readonly baseUrl?: string;
  /** Calls per second per endpoint, capped at each endpoint's documented limit. Default 20. */
  readonly maxRps?: number;
  /** Calls per second to `get_appid_group_list`. Default 1 (Tencent's limit). */
  readonly groupListRps?: number;
  /** Per HTTP attempt, above Tencent's own 3 s. Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Validity of the UserSigs the client makes; it makes a new one a tenth of this before expiry. Default 1 day. */
  readonly userSigTtlSeconds?: number;
  /** Retries of one call on rate limits, transient codes, HTTP 5xx and network faults. Default 8. */
  readonly maxRetries?: number;
  /** First backoff delay; doubled on each retry (with full jitter), up to `backoffMaxMs`. Default 200 ms. */
  readonly backoffBaseMs?: number;
  /** Default 30 000 ms. */
  readonly backoffMaxMs?: number;
  /** Called for every HTTP attempt (metrics, logs). Must not throw. */
  readonly onCall?: (event: CallEvent) => void;
}

export interface GroupIdPagesOptions {
  readonly groupType?: GroupTypeFilter;
  /** IDs per page, at most 10000. Default 10000. */
  readonly pageSize?: number;
  /** Resume from a cursor a previous page returned. Default 0 (the start). */
  readonly next?: number;
}

export interface GroupMemberOptions {
  /** Community groups page with a string `Next`; the others with `Offset`. */
  readonly community: boolean;
  /** Members per page, at most 200. Default 100. */
  readonly pageSize?: number;
  readonly memberInfoFilter?: GetGroupMemberInfoRequest['MemberInfoFilter'];
  readonly memberRoleFilter?: GetGroupMemberInfoRequest['MemberRoleFilter'];
  readonly appDefinedDataFilter?: GetGroupMemberInfoRequest['AppDefinedDataFilter_GroupMember'];
}

const notYet = (): never => {
  throw new Error('not implemented yet');
};

/**
 * A typed client of Tencent IM's server REST API for one app: UserSig made and renewed, a rate limit per
 * endpoint, retries by error class, answers validated. Batch methods take any number of items and split
 * them into Tencent's batch size; per-item errors come back as typed results, never thrown.
 */
export class TencentApiClient {
  constructor(readonly options: TencentApiClientOptions) {}

  /** One call: rate-limited, retried by error class, answer validated; a non-zero `ErrorCode` throws. */
  call<E extends Endpoint>(_endpoint: E, _body: Requests[E], _signal?: AbortSignal): Promise<Responses[E]> {
    return notYet();
  }

  /** Every group ID of the app, page by page (`get_appid_group_list`, 1 call/s). */
  groupIdPages(_options?: GroupIdPagesOptions): AsyncGenerator<GroupIdPage> {
    return notYet();
  }

  /** Group profiles, 50 per call; a group that is gone comes back as `result: 'gone'`. */
  getGroupInfo(_groupIds: readonly string[], _filter?: GroupInfoFilter): Promise<GroupInfoResult[]> {
    return notYet();
  }

  /** A group's members, page by page (Offset, or Community's string `Next`). Throws on 10010. */
  groupMemberPages(_groupId: string, _options: GroupMemberOptions): AsyncGenerator<MemberPage> {
    return notYet();
  }

  /** A group's whole member list, re-read when it changed while paged (see `GroupMembers.complete`). */
  getGroupMembers(_groupId: string, _options: GroupMemberOptions): Promise<GroupScoped<GroupMembers>> {
    return notYet();
  }

  getGroupAttr(_groupId: string): Promise<GroupScoped<GroupAttrs>> {
    return notYet();
  }

  /** A Community group's topics; `fromAccount` is required by Tencent (the owner is a safe choice). */
  getTopics(_groupId: string, _fromAccount: string): Promise<GroupScoped<Topics>> {
    return notYet();
  }

  /** Online status, 500 accounts per call. */
  queryOnlineStatus(_accounts: readonly string[], _detail?: boolean): Promise<OnlineStatusItem[]> {
    return notYet();
  }

  /** Profile tags, 100 accounts per call. */
  portraitGet(_accounts: readonly string[], _tags: readonly string[]): Promise<ProfileResult[]> {
    return notYet();
  }

  /** Whether accounts exist (Imported), 100 per call. */
  accountCheck(_accounts: readonly string[]): Promise<AccountCheckResult[]> {
    return notYet();
  }

  /** One user's whole friend list (every page of `friend_get`). */
  getFriends(_account: string): Promise<FriendsResult> {
    return notYet();
  }

  /** One user's whole blocklist (`black_list_get`, 1000 per page). */
  getBlackList(_account: string): Promise<BlackListResult> {
    return notYet();
  }

  /** Attempts by endpoint and result, and retries, since the client was made. */
  stats(): CallStats {
    return notYet();
  }

  /** Closes the kept-alive connections. */
  close(): void {
    notYet();
  }
}
