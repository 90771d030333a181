import { Caller } from './caller.js';
import { DEFAULT_ADMIN_ACCOUNT, DEFAULT_BASE_URL, DEFAULT_MAX_RPS } from './config.js';
import * as accountReads from './account-reads.js';
import * as groupReads from './group-reads.js';
import type { Endpoint, Requests, Responses } from './endpoints.js';
import type { GroupInfoFilter } from './endpoints/get-group-info.js';
import type { GroupIdPagesOptions, GroupMemberOptions } from './group-reads.js';
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
  /** Retries of one call on transient codes, HTTP 5xx and network faults. Default 8. */
  readonly maxRetries?: number;
  /** Retries of one call on rate-limit answers. Default 20. */
  readonly maxRateLimitRetries?: number;
  /** First backoff delay; doubled on each retry (with jitter), up to `backoffMaxMs`. Default 200 ms. */
  readonly backoffBaseMs?: number;
  /** Longest backoff after transient faults. Default 30 000 ms. */
  readonly backoffMaxMs?: number;
  /**
   * Longest cool-down of an endpoint after rate-limit answers in a row (it starts at `backoffBaseMs` and
   * doubles, with jitter). Default 2 000 ms: Tencent's limits are per second.
   */
  readonly rateLimitBackoffMaxMs?: number;
  /** Called for every HTTP attempt (metrics, logs). Must not throw. */
  readonly onCall?: (event: CallEvent) => void;
  /** The clock UserSigs are dated with (ms since the epoch). Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * A typed client of Tencent IM's server REST API for one app: UserSig made and renewed, a rate limit per
 * endpoint, retries by error class, answers validated. Batch methods take any number of items and split
 * them into Tencent's batch size; per-item errors come back as typed results, never thrown.
 */
export class TencentApiClient {
  readonly #caller: Caller;

  constructor(options: TencentApiClientOptions) {
    this.#caller = new Caller({
      secretKeySetting: 'IM_SECRET_KEY',
      adminAccount: DEFAULT_ADMIN_ACCOUNT,
      baseUrl: DEFAULT_BASE_URL,
      maxRps: DEFAULT_MAX_RPS,
      groupListRps: 1,
      timeoutMs: 10_000,
      userSigTtlSeconds: 86_400,
      maxRetries: 8,
      maxRateLimitRetries: 20,
      backoffBaseMs: 200,
      backoffMaxMs: 30_000,
      rateLimitBackoffMaxMs: 2000,
      now: Date.now,
      ...stripUndefined(options),
    });
  }

  /** One call: rate-limited, retried by error class, answer validated; a non-zero `ErrorCode` throws. */
  call<E extends Endpoint>(endpoint: E, body: Requests[E], signal?: AbortSignal): Promise<Responses[E]> {
    return this.#caller.call(endpoint, body, signal);
  }

  /** Every group ID of the app, page by page (`get_appid_group_list`, 1 call/s). */
  groupIdPages(options: GroupIdPagesOptions = {}): AsyncGenerator<GroupIdPage> {
    return groupReads.groupIdPages(this.#caller, options);
  }

  /** Group profiles, 50 per call; a group that is gone comes back as `result: 'gone'`. */
  getGroupInfo(groupIds: readonly string[], filter?: GroupInfoFilter): Promise<GroupInfoResult[]> {
    return groupReads.getGroupInfo(this.#caller, groupIds, filter);
  }

  /** A group's members, page by page (Offset, or Community's string `Next`). Throws on 10010. */
  groupMemberPages(groupId: string, options: GroupMemberOptions): AsyncGenerator<MemberPage> {
    return groupReads.groupMemberPages(this.#caller, groupId, options);
  }

  /** A group's whole member list, re-read when it changed while paged (see `GroupMembers.complete`). */
  getGroupMembers(groupId: string, options: GroupMemberOptions): Promise<GroupScoped<GroupMembers>> {
    return groupReads.getGroupMembers(this.#caller, groupId, options);
  }

  getGroupAttr(groupId: string): Promise<GroupScoped<GroupAttrs>> {
    return groupReads.getGroupAttr(this.#caller, groupId);
  }

  /** A Community group's topics; `fromAccount` is required by Tencent (the owner is a safe choice). */
  getTopics(groupId: string, fromAccount: string): Promise<GroupScoped<Topics>> {
    return groupReads.getTopics(this.#caller, groupId, fromAccount);
  }

  /** Online status, 500 accounts per call. */
  queryOnlineStatus(accounts: readonly string[], detail = false): Promise<OnlineStatusItem[]> {
    return accountReads.queryOnlineStatus(this.#caller, accounts, detail);
  }

  /** Profile tags, 100 accounts per call. */
  portraitGet(accounts: readonly string[], tags: readonly string[]): Promise<ProfileResult[]> {
    return accountReads.portraitGet(this.#caller, accounts, tags);
  }

  /** Whether accounts exist (Imported), 100 per call. */
  accountCheck(accounts: readonly string[]): Promise<AccountCheckResult[]> {
    return accountReads.accountCheck(this.#caller, accounts);
  }

  /** One user's whole friend list (every page of `friend_get`). */
  getFriends(account: string): Promise<FriendsResult> {
    return accountReads.getFriends(this.#caller, account);
  }

  /** One user's whole blocklist (`black_list_get`, 1000 per page). */
  getBlackList(account: string): Promise<BlackListResult> {
    return accountReads.getBlackList(this.#caller, account);
  }

  /** Attempts by endpoint and result, and retries, since the client was made. */
  stats(): CallStats {
    return this.#caller.stats();
  }

  /** Closes the kept-alive connections; calls still waiting for their turn are rejected. */
  close(): void {
    this.#caller.close();
  }
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
