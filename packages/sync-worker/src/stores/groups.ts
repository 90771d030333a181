import type { StatementBuffer } from '../db.js';
import { combine, upsertLww, type Register, type Write } from './lww.js';

/** The registers of `groups`; an event writes the ones it knows about. */
export const GROUP = {
  type: { version: 'type_v', columns: ['type'] },
  name: { version: 'name_v', columns: ['name'] },
  introduction: { version: 'introduction_v', columns: ['introduction'] },
  notification: { version: 'notification_v', columns: ['notification'] },
  faceUrl: { version: 'face_url_v', columns: ['face_url'] },
  owner: { version: 'owner_v', columns: ['owner_account'] },
  created: { version: 'created_v', columns: ['created_at', 'created_by', 'custom_data'] },
  destroyed: { version: 'destroyed_v', columns: ['last_destroyed_at'] },
  full: { version: 'full_v', columns: ['full_at'] },
} as const satisfies Record<string, Register>;

/** The registers of `group_members`. */
export const MEMBER = {
  role: { version: 'role_v', columns: ['role'] },
  nameCard: { version: 'name_card_v', columns: ['name_card'] },
  joined: { version: 'join_v', columns: ['joined_at', 'join_type'] },
  membership: {
    version: 'membership_v',
    columns: ['membership', 'membership_at', 'membership_exit_type', 'membership_operator'],
  },
  online: { version: 'online_v', columns: ['online'] },
} as const satisfies Record<string, Register>;

export interface GroupKey {
  readonly sdkAppId: number;
  readonly groupId: string;
}

/** A message that may be the group's last one (see `last_msgs_merge` in the migration). */
export interface LastMsgCandidate {
  readonly seq: number;
  /** The event's version. */
  readonly version: bigint;
  /** When the message was sent, ms since the epoch. */
  readonly at: number;
  readonly from: string;
}

/** What a group event writes besides registers. */
export interface GroupExtras {
  /** Attribute entries `{key: {v, t}}` to merge, and the version of a reset that hides every older key. */
  readonly attrs?: { readonly entries: Record<string, unknown>; readonly resetV: bigint | null };
  readonly msg?: LastMsgCandidate;
  /** The version of a snapshot that saw the group alive: no older destroy ends it. */
  readonly aliveV?: bigint;
}

/**
 * Writes a group's registers (and attribute map, last-message candidates) and locks its row: every group
 * event starts here, so jobs on one group are serialised and always lock the group before its members.
 */
export async function upsertGroup(
  buffer: StatementBuffer,
  key: GroupKey,
  writes: readonly Write[],
  extras: GroupExtras = {},
): Promise<void> {
  const { registers, values } = combine(writes);
  const { attrs, msg, aliveV } = extras;
  await upsertLww(buffer, {
    table: 'groups',
    key: ['sdk_app_id', 'group_id'],
    registers,
    merges: {
      ...(attrs ? { attr_entries: 'lww_merge' } : {}),
      ...(msg ? { last_msgs: 'last_msgs_merge' } : {}),
    },
    maxima: [...(attrs ? ['attr_reset_v'] : []), ...(aliveV !== undefined ? ['alive_v'] : [])],
    rows: [
      {
        sdk_app_id: key.sdkAppId,
        group_id: key.groupId,
        ...values,
        ...(attrs ? { attr_entries: attrs.entries, attr_reset_v: attrs.resetV } : {}),
        ...(aliveV !== undefined ? { alive_v: aliveV } : {}),
        ...(msg
          ? { last_msgs: [{ s: msg.seq, v: msg.version.toString(), at: msg.at, from: msg.from }] }
          : {}),
      },
    ],
  });
}

/**
 * Writes members of a group (one row per distinct account; a later entry for the same account wins).
 * Every row must write the same registers.
 */
export async function upsertMembers(
  buffer: StatementBuffer,
  key: GroupKey,
  members: readonly { account: string; writes: readonly Write[] }[],
): Promise<void> {
  const byAccount = new Map(members.map(({ account, writes }) => [account, combine(writes)]));
  const first = byAccount.values().next().value;
  if (!first) return;
  await upsertLww(buffer, {
    table: 'group_members',
    key: ['sdk_app_id', 'group_id', 'member_account'],
    registers: first.registers,
    rows: [...byAccount].map(([account, { values }]) => ({
      sdk_app_id: key.sdkAppId,
      group_id: key.groupId,
      member_account: account,
      ...values,
    })),
  });
}

/** Records a destroy of the group (kept, so that late events can tell what it ended). */
export async function recordDestroy(
  buffer: StatementBuffer,
  key: GroupKey,
  version: bigint,
  at: Date,
  operator: string | null,
): Promise<void> {
  await buffer.add(
    `INSERT INTO group_destroys (sdk_app_id, group_id, v, destroyed_at, operator_account) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT DO NOTHING`,
    [key.sdkAppId, key.groupId, version.toString(), at, operator],
  );
}

/**
 * Recomputes when memberships ended by a destroy: a membership that began (joined) before a destroy of
 * its group ends at the first destroy after it. For the given accounts, or every member of the group.
 */
export async function refreshEndedMemberships(
  buffer: StatementBuffer,
  key: GroupKey,
  accounts?: readonly string[],
): Promise<void> {
  await buffer.add('SELECT refresh_ended_memberships($1, $2, $3::text[])', [
    key.sdkAppId,
    key.groupId,
    accounts ? [...accounts] : null,
  ]);
}

/**
 * Recomputes when topics were ended by a destroy of their group: a topic ends at the first destroy of its
 * group after it began (its latest creation, else the first event seen for it). For the given topics, or
 * every topic of the group.
 */
export async function refreshEndedTopics(
  buffer: StatementBuffer,
  key: GroupKey,
  topicIds?: readonly string[],
): Promise<void> {
  await buffer.add('SELECT refresh_ended_topics($1, $2, $3::text[])', [
    key.sdkAppId,
    key.groupId,
    topicIds ? [...topicIds] : null,
  ]);
}
