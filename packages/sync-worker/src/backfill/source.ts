import type { GroupProfile, MemberItem, TopicItem } from './snapshot.js';

/**
 * What a sweep reads from Tencent: one method per REST call it makes, each answering plain snapshot data.
 * The REST client (`@imsync/tencent-api`) is adapted to it in one small file; tests implement it over a
 * model of Tencent's state. Batch sizes are the caller's (`BATCH`); paging, rate limits and retries are the
 * source's. A method throws only when the call failed as a whole (after the client's retries); an error
 * about one item is returned with that item.
 */
export interface TencentSource {
  /** One page of `get_appid_group_list` from cursor `next` (0 first); `next` 0 in the answer = last page. */
  groupIdPage(next: number): Promise<{ readonly groupIds: readonly string[]; readonly next: number }>;
  /** `get_group_info` for at most `BATCH.groupInfo` groups. */
  groupProfiles(groupIds: readonly string[]): Promise<readonly GroupAnswer[]>;
  /** Every member (Offset or Community `Next` paging); `complete` false when it changed while paged. */
  groupMembers(
    groupId: string,
    type: string | null,
  ): Promise<Scoped<{ readonly members: readonly MemberItem[]; readonly complete: boolean }>>;
  groupAttributes(
    groupId: string,
  ): Promise<Scoped<{ readonly attributes: Readonly<Record<string, string>> }>>;
  /** The topics of a Community, read as `fromAccount` (its owner). */
  topics(groupId: string, fromAccount: string): Promise<Scoped<{ readonly topics: readonly TopicItem[] }>>;
  /** `portrait_get` of at most `BATCH.profiles` accounts. */
  profiles(
    accounts: readonly string[],
    tags: readonly string[],
  ): Promise<readonly AccountAnswer<{ readonly tags: Readonly<Record<string, string | number>> }>[]>;
  /** `query_online_status` of at most `BATCH.online` accounts: `Online`, `PushOnline` or `Offline`. */
  onlineStatus(accounts: readonly string[]): Promise<readonly AccountAnswer<{ readonly status: string }>[]>;
  /** The whole friend list of an account (every `friend_get` page). */
  friends(account: string): Promise<AccountAnswer<{ readonly accounts: readonly string[] }>>;
  /** The whole blocklist of an account. */
  blocklist(account: string): Promise<AccountAnswer<{ readonly accounts: readonly string[] }>>;
  /** REST calls made so far (retries included) and retries; `byEndpoint`: calls by endpoint and result. */
  stats(): {
    readonly calls: number;
    readonly retries: number;
    readonly byEndpoint?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  };
}

export const BATCH = { groupInfo: 50, profiles: 100, online: 500 } as const;

export interface ItemError {
  readonly code: number;
  readonly message: string;
}

export type GroupAnswer =
  | { readonly groupId: string; readonly result: 'ok'; readonly profile: GroupProfile }
  | { readonly groupId: string; readonly result: 'gone' }
  | ({ readonly groupId: string; readonly result: 'error' } & ItemError);

/** A call about one group: its answer, or the group is gone (10010). */
export type Scoped<T> = ({ readonly result: 'ok' } & T) | { readonly result: 'gone' };

/** A call about one account: its answer, no such account, or another error about it. */
export type AccountAnswer<T> =
  | ({ readonly account: string; readonly result: 'ok' } & T)
  | { readonly account: string; readonly result: 'not_found' }
  | ({ readonly account: string; readonly result: 'error' } & ItemError);
