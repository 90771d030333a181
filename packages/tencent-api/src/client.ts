import { Caller } from './caller.js';
import { DEFAULT_ADMIN_ACCOUNT, DEFAULT_BASE_URL, DEFAULT_MAX_RPS } from './config.js';
import { ENDPOINTS, type Endpoint, type Requests, type Responses } from './endpoints.js';
import { GROUP_GONE_CODE, NO_SUCH_ACCOUNT_CODES, TencentApiError } from './errors.js';
import type { GroupTypeFilter } from './endpoints/get-appid-group-list.js';
import type { GroupInfoFilter } from './endpoints/get-group-info.js';
import type { GetGroupMemberInfoRequest, GroupMember } from './endpoints/get-group-member-info.js';
import type { FriendItem } from './endpoints/friend-get.js';
import type { BlackListItem } from './endpoints/black-list-get.js';
import type { Secret } from './secret.js';
import type {
  AccountCheckResult,
  AccountScoped,
  BlackListResult,
  CallEvent,
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

/** How many times a member list that changed while paged is read again before it is returned incomplete. */
const MEMBER_LIST_READS = 3;

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
  async *groupIdPages(options: GroupIdPagesOptions = {}): AsyncGenerator<GroupIdPage> {
    let next = options.next ?? 0;
    for (;;) {
      const res = await this.call('get_appid_group_list', {
        Limit: options.pageSize ?? ENDPOINTS.get_appid_group_list.batch,
        Next: next,
        ...(options.groupType ? { GroupType: options.groupType } : {}),
      });
      if (res.Next !== 0 && res.Next === next) throw cursorStuck('get_appid_group_list', String(next));
      next = res.Next;
      yield { groupIds: res.GroupIdList.map((g) => g.GroupId), totalCount: res.TotalCount, next };
      if (next === 0) return;
    }
  }

  /** Group profiles, 50 per call; a group that is gone comes back as `result: 'gone'`. */
  async getGroupInfo(groupIds: readonly string[], filter?: GroupInfoFilter): Promise<GroupInfoResult[]> {
    const out: GroupInfoResult[] = [];
    for (const chunk of chunks(groupIds, ENDPOINTS.get_group_info.batch)) {
      const res = await this.call('get_group_info', {
        GroupIdList: chunk,
        ...(filter ? { ResponseFilter: filter } : {}),
      });
      const byId = new Map(res.GroupInfo.map((g) => [g.GroupId, g]));
      for (const groupId of chunk) {
        const info = byId.get(groupId);
        if (!info) out.push({ groupId, result: 'error', ...missing });
        else if (info.ErrorCode === 0) out.push({ groupId, result: 'ok', info });
        else
          out.push({
            groupId,
            result: info.ErrorCode === GROUP_GONE_CODE ? 'gone' : 'error',
            code: info.ErrorCode,
            message: info.ErrorInfo,
          });
      }
    }
    return out;
  }

  /** A group's members, page by page (Offset, or Community's string `Next`). Throws on 10010. */
  async *groupMemberPages(groupId: string, options: GroupMemberOptions): AsyncGenerator<MemberPage> {
    const limit = options.pageSize ?? 100;
    const base = {
      GroupId: groupId,
      Limit: limit,
      ...(options.memberInfoFilter ? { MemberInfoFilter: options.memberInfoFilter } : {}),
      ...(options.memberRoleFilter ? { MemberRoleFilter: options.memberRoleFilter } : {}),
      ...(options.appDefinedDataFilter
        ? { AppDefinedDataFilter_GroupMember: options.appDefinedDataFilter }
        : {}),
    };
    if (options.community) {
      for (let next = ''; ;) {
        const res = await this.call('get_group_member_info', { ...base, Next: next });
        const following = res.Next ?? '';
        if (following !== '' && following === next) throw cursorStuck('get_group_member_info', next);
        yield { members: res.MemberList, memberNum: res.MemberNum };
        if (following === '') return;
        next = following;
      }
    }
    for (let offset = 0; ;) {
      const res = await this.call('get_group_member_info', { ...base, Offset: offset });
      yield { members: res.MemberList, memberNum: res.MemberNum };
      offset += res.MemberList.length;
      // a short page is the last; so is one that reaches the member count (unless roles filter the list)
      if (res.MemberList.length < limit || (!options.memberRoleFilter && offset >= res.MemberNum)) return;
    }
  }

  /** A group's whole member list, re-read when it changed while paged (see `GroupMembers.complete`). */
  async getGroupMembers(groupId: string, options: GroupMemberOptions): Promise<GroupScoped<GroupMembers>> {
    return groupScoped(async () => {
      let last: GroupMembers = { members: [], memberNum: 0, complete: false };
      for (let read = 0; read < MEMBER_LIST_READS; read++) {
        const members = new Map<string, GroupMember>();
        const counts = new Set<number>();
        for await (const page of this.groupMemberPages(groupId, options)) {
          counts.add(page.memberNum);
          for (const m of page.members) members.set(m.Member_Account, m);
        }
        const memberNum = counts.size ? Math.max(...counts) : 0;
        const filtered = options.memberRoleFilter !== undefined;
        const complete = counts.size <= 1 && (filtered || members.size === memberNum);
        last = { members: [...members.values()], memberNum, complete };
        if (complete) break;
      }
      return last;
    });
  }

  getGroupAttr(groupId: string): Promise<GroupScoped<GroupAttrs>> {
    return groupScoped(async () => {
      const res = await this.call('get_group_attr', { GroupId: groupId });
      return { attrs: res.GroupAttrAry };
    });
  }

  /** A Community group's topics; `fromAccount` is required by Tencent (the owner is a safe choice). */
  getTopics(groupId: string, fromAccount: string): Promise<GroupScoped<Topics>> {
    return groupScoped(async () => {
      const res = await this.call('get_topic', { GroupId: groupId, From_Account: fromAccount });
      const topics = [];
      const errors: ItemError[] = [];
      for (const t of res.TopicAndSelfInfo) {
        if (t.ErrorCode === 0 && t.TopicInfo) topics.push(t.TopicInfo);
        else errors.push({ code: t.ErrorCode, message: t.ErrorInfo });
      }
      return { topics, errors };
    });
  }

  /** Online status, 500 accounts per call. */
  async queryOnlineStatus(accounts: readonly string[], detail = false): Promise<OnlineStatusItem[]> {
    const out: OnlineStatusItem[] = [];
    for (const chunk of chunks(accounts, ENDPOINTS.query_online_status.batch)) {
      const res = await this.call('query_online_status', {
        To_Account: chunk,
        ...(detail ? { IsNeedDetail: 1 as const } : {}),
      });
      const ok = new Map(res.QueryResult.map((r) => [r.To_Account, r]));
      const failed = new Map(res.ErrorList.map((r) => [r.To_Account, r.ErrorCode]));
      for (const account of chunk) {
        const status = ok.get(account);
        const code = failed.get(account);
        if (status) out.push({ account, result: 'ok', status });
        else if (code !== undefined) out.push(accountError(account, code, ''));
        else out.push({ account, result: 'error', ...missing });
      }
    }
    return out;
  }

  /** Profile tags, 100 accounts per call. */
  async portraitGet(accounts: readonly string[], tags: readonly string[]): Promise<ProfileResult[]> {
    const out: ProfileResult[] = [];
    for (const chunk of chunks(accounts, ENDPOINTS.portrait_get.batch)) {
      const res = await this.call('portrait_get', { To_Account: chunk, TagList: [...tags] });
      const items = new Map(res.UserProfileItem.map((u) => [u.To_Account, u]));
      const failed = new Set(res.Fail_Account ?? []);
      for (const account of chunk) {
        const item = items.get(account);
        if (item && item.ResultCode === 0) out.push({ account, result: 'ok', profile: item.ProfileItem });
        else if (item) out.push(accountError(account, item.ResultCode, item.ResultInfo));
        else if (failed.has(account)) out.push(accountError(account, 40003, 'listed in Fail_Account'));
        else out.push({ account, result: 'error', ...missing });
      }
    }
    return out;
  }

  /** Whether accounts exist (Imported), 100 per call. */
  async accountCheck(accounts: readonly string[]): Promise<AccountCheckResult[]> {
    const out: AccountCheckResult[] = [];
    for (const chunk of chunks(accounts, ENDPOINTS.account_check.batch)) {
      const res = await this.call('account_check', { CheckItem: chunk.map((UserID) => ({ UserID })) });
      const items = new Map(res.ResultItem.map((r) => [r.UserID, r]));
      for (const account of chunk) {
        const item = items.get(account);
        if (!item) out.push({ account, result: 'error', ...missing });
        else if (item.ResultCode !== 0) out.push(accountError(account, item.ResultCode, item.ResultInfo));
        else {
          const accountStatus = item.AccountStatus ?? '';
          out.push({ account, result: 'ok', imported: accountStatus === 'Imported', accountStatus });
        }
      }
    }
    return out;
  }

  /** One user's whole friend list (every page of `friend_get`). */
  getFriends(account: string): Promise<FriendsResult> {
    return accountScoped(account, async () => {
      const friends: FriendItem[] = [];
      for (let start = 0; ;) {
        const res = await this.call('friend_get', {
          From_Account: account,
          StartIndex: start,
          StandardSequence: 0,
        });
        friends.push(...res.UserDataItem);
        if (res.CompleteFlag !== 0 || res.NextStartIndex === 0) return { friends };
        if (res.NextStartIndex === start) throw cursorStuck('friend_get', String(start));
        start = res.NextStartIndex;
      }
    });
  }

  /** One user's whole blocklist (`black_list_get`, 1000 per page). */
  getBlackList(account: string): Promise<BlackListResult> {
    return accountScoped(account, async () => {
      const entries: BlackListItem[] = [];
      for (let start = 0; ;) {
        const res = await this.call('black_list_get', {
          From_Account: account,
          StartIndex: start,
          MaxLimited: ENDPOINTS.black_list_get.batch,
          LastSequence: 0,
        });
        entries.push(...res.BlackListItem);
        if (res.StartIndex === 0) return { entries };
        if (res.StartIndex === start) throw cursorStuck('black_list_get', String(start));
        start = res.StartIndex;
      }
    });
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

const missing: ItemError = { code: -1, message: 'Tencent left this item out of its answer' };

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

function accountError(account: string, code: number, message: string): AccountScoped<never> {
  return { account, result: NO_SUCH_ACCOUNT_CODES.has(code) ? 'not_found' : 'error', code, message };
}

async function groupScoped<T>(run: () => Promise<T>): Promise<GroupScoped<T>> {
  try {
    return { result: 'ok', ...(await run()) };
  } catch (err) {
    if (err instanceof TencentApiError && err.code === GROUP_GONE_CODE)
      return { result: 'gone', code: err.code, message: err.tencentMessage };
    throw err;
  }
}

async function accountScoped<T>(account: string, run: () => Promise<T>): Promise<AccountScoped<T>> {
  try {
    return { account, result: 'ok', ...(await run()) };
  } catch (err) {
    if (err instanceof TencentApiError && err.code !== null && NO_SUCH_ACCOUNT_CODES.has(err.code))
      return accountError(account, err.code, err.tencentMessage);
    throw err;
  }
}

function cursorStuck(endpoint: Endpoint, cursor: string): TencentApiError {
  const message = `the paging cursor did not move (${cursor})`;
  return new TencentApiError(`${endpoint}: ${message}`, null, endpoint, message, 'fatal');
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
