import type { Endpoint } from './endpoints.js';
import type { BlackListItem } from './endpoints/black-list-get.js';
import type { FriendItem } from './endpoints/friend-get.js';
import type { GroupInfo } from './endpoints/get-group-info.js';
import type { GroupMember } from './endpoints/get-group-member-info.js';
import type { TopicInfo } from './endpoints/get-topic.js';
import type { OnlineStatusResult } from './endpoints/query-online-status.js';
import type { ProfileItem } from './endpoints/portrait-get.js';

/** How one HTTP attempt ended: the `result` label of the REST call metrics. */
export type CallResult =
  'ok' | 'rate_limited' | 'usersig_expired' | 'transient' | 'http_error' | 'network_error' | 'error';

/** Reported for every HTTP attempt, retries included (`attempt` counts from 1). */
export interface CallEvent {
  readonly endpoint: Endpoint;
  readonly result: CallResult;
  /** Tencent's top-level `ErrorCode`; null when no answer was read. */
  readonly code: number | null;
  readonly attempt: number;
  /** Whether the client retries this call. */
  readonly willRetry: boolean;
  readonly durationMs: number;
}

/** Counters since the client was made: attempts by endpoint and result, and retries. */
export interface CallStats {
  readonly calls: { readonly [E in Endpoint]?: { readonly [R in CallResult]?: number } };
  readonly retries: number;
}

/** An error Tencent reported for one item of a batch, or for one single-item call. */
export interface ItemError {
  readonly code: number;
  readonly message: string;
}

/** `get_group_info`, one group: its profile, or gone (10010: dismissed or never existed), or another error. */
export type GroupInfoResult =
  | { readonly groupId: string; readonly result: 'ok'; readonly info: GroupInfo }
  | ({ readonly groupId: string; readonly result: 'gone' | 'error' } & ItemError);

/** A call about one group: its answer, or gone (10010). */
export type GroupScoped<T> = ({ readonly result: 'ok' } & T) | ({ readonly result: 'gone' } & ItemError);

/** A call about one account: its answer, or no such account (70107, 40003, 30003), or another error. */
export type AccountScoped<T> =
  | ({ readonly account: string; readonly result: 'ok' } & T)
  | ({ readonly account: string; readonly result: 'not_found' | 'error' } & ItemError);

export type OnlineStatusItem = AccountScoped<{ readonly status: OnlineStatusResult }>;
export type ProfileResult = AccountScoped<{ readonly profile: readonly ProfileItem[] }>;
export type AccountCheckResult = AccountScoped<{
  readonly imported: boolean;
  readonly accountStatus: string;
}>;
export type FriendsResult = AccountScoped<{ readonly friends: readonly FriendItem[] }>;
export type BlackListResult = AccountScoped<{ readonly entries: readonly BlackListItem[] }>;

/** One page of `get_appid_group_list`. */
export interface GroupIdPage {
  readonly groupIds: readonly string[];
  readonly totalCount: number;
  /** The cursor of the next page (pass it as `next` to resume); 0 = this was the last page. */
  readonly next: number;
}

/** One page of `get_group_member_info`. */
export interface MemberPage {
  readonly members: readonly GroupMember[];
  /** The group's member count as Tencent reported it with this page. */
  readonly memberNum: number;
}

/**
 * A group's whole member list. `complete` is false when the list changed while it was paged (the member
 * count moved between pages, or the members read differ from it) even after the client re-read it: a
 * caller should not end memberships that such a list misses.
 */
export interface GroupMembers {
  readonly members: readonly GroupMember[];
  readonly memberNum: number;
  readonly complete: boolean;
}

export interface GroupAttrs {
  readonly attrs: readonly { readonly key: string; readonly value: string }[];
}

export interface Topics {
  readonly topics: readonly TopicInfo[];
  /** Topics Tencent answered with an error. */
  readonly errors: readonly ItemError[];
}
