import { createHash } from 'node:crypto';
import { eventVersion } from '@imsync/callbacks';

/**
 * A snapshot: what Tencent's REST API said about one entity, read at one moment. It is applied like a
 * callback, at its version: `(sent − margin) * 2^64 + 64 bits of a hash of what it is about`.
 */
export interface SnapshotHead {
  readonly sdkAppId: number;
  /** When the request was sent minus the clock margin, ms since the epoch: the snapshot's event time. */
  readonly time: number;
  readonly version: bigint;
}

/** One group's profile (`get_group_info`), or the news that the group is gone (10010). */
export interface GroupProfile {
  readonly type: string | null;
  readonly name: string | null;
  readonly introduction: string | null;
  readonly notification: string | null;
  readonly faceUrl: string | null;
  readonly owner: string | null;
  /** `CreateTime`, s since the epoch. */
  readonly createTime: number | null;
  /** `AppDefinedData`, key → value. */
  readonly customData: Readonly<Record<string, string>>;
}

export interface MemberItem {
  readonly account: string;
  readonly role: string | null;
  readonly nameCard: string | null;
  /** `JoinTime`, s since the epoch. */
  readonly joinTime: number | null;
}

export interface TopicItem {
  readonly topicId: string;
  readonly name: string | null;
  readonly introduction: string | null;
  readonly notification: string | null;
  readonly faceUrl: string | null;
  readonly owner: string | null;
  /** s since the epoch */
  readonly createTime: number | null;
}

export type Snapshot = SnapshotHead &
  (
    | { readonly kind: 'group'; readonly groupId: string; readonly profile: GroupProfile | null }
    /**
     * A member list. Only a complete one (not changed while it was paged) ends the memberships it lacks;
     * an incomplete one only says who is a member.
     */
    | {
        readonly kind: 'members';
        readonly groupId: string;
        readonly members: readonly MemberItem[];
        readonly complete: boolean;
      }
    | {
        readonly kind: 'attributes';
        readonly groupId: string;
        readonly attributes: Readonly<Record<string, string>>;
      }
    | { readonly kind: 'topics'; readonly groupId: string; readonly topics: readonly TopicItem[] }
    | {
        readonly kind: 'profile';
        readonly userId: string;
        readonly tags: Readonly<Record<string, string | number>>;
      }
    /** `Online`, `PushOnline` or `Offline`, as `query_online_status` says. */
    | { readonly kind: 'online'; readonly userId: string; readonly status: string }
    /** A complete friend list (`friend_get`) or blocklist (`black_list_get`): the other accounts. */
    | {
        readonly kind: 'friends' | 'blocklist';
        readonly userId: string;
        readonly accounts: readonly string[];
      }
  );

export type SnapshotKind = Snapshot['kind'];

/** The time a snapshot stands for: its request's send time minus the clock margin. */
export function snapshotTime(sentAt: number, marginMs: number): number {
  return sentAt - marginMs;
}

/** The version of a snapshot of `subject` (kind and id) at `time`, ms. */
export function snapshotVersion(sdkAppId: number, time: number, subject: string): bigint {
  const key = createHash('sha256').update(`${sdkAppId}\nsnapshot\n${subject}\n${time}`).digest('hex');
  return eventVersion(time, key);
}

/**
 * The version a snapshot gives an event it reports by its time in seconds (a group's CreateTime, a member's
 * JoinTime): the start of that second, so that the callback of the same event, if any, wins.
 */
export function echoVersion(seconds: number): bigint {
  return BigInt(seconds * 1000) << 64n;
}

/** A snapshot's head for `subject` read with a request sent at `sentAt`. */
export function headOf(sdkAppId: number, sentAt: number, marginMs: number, subject: string): SnapshotHead {
  const time = snapshotTime(sentAt, marginMs);
  return { sdkAppId, time, version: snapshotVersion(sdkAppId, time, subject) };
}
