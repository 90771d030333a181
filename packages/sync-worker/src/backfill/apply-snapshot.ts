import { applyAsOneTransaction, type Db, type StatementBuffer } from '../db.js';
import {
  GROUP,
  MEMBER,
  recordDestroy,
  refreshEndedMemberships,
  refreshEndedTopics,
  upsertGroup,
  type GroupKey,
} from '../stores/groups.js';
import { combine, upsertLww, write, type Write } from '../stores/lww.js';
import { lockRelations, RELATION, refreshRelations } from '../stores/relations.js';
import { TOPIC } from '../stores/topics.js';
import { USER } from '../stores/users.js';
import type { Executor } from '../statements.js';
import { chunk } from './parts.js';
import { echoVersion, type Snapshot } from './snapshot.js';

type Of<K extends Snapshot['kind']> = Extract<Snapshot, { kind: K }>;

/** Rows per statement when a snapshot writes many (a large group's members). */
const CHUNK = 100;

const keyOf = (s: { sdkAppId: number; groupId: string }): GroupKey => ({
  sdkAppId: s.sdkAppId,
  groupId: s.groupId,
});

/**
 * A group's profile: each field at the snapshot's version; its creation (CreateTime, custom data) at the
 * start of its CreateTime second, so that the creation callback, with its creator, wins; alive at the
 * snapshot's version. A group that is gone is destroyed at the snapshot's version, as the destroy
 * callback would have done (a creation newer than the snapshot still wins).
 */
async function group(buffer: StatementBuffer, s: Of<'group'>): Promise<void> {
  const key = keyOf(s);
  const v = s.version;
  const at = new Date(s.time);
  const p = s.profile;
  if (!p) {
    await upsertGroup(buffer, key, [write(GROUP.destroyed, v, { last_destroyed_at: at })]);
    await recordDestroy(buffer, key, v, at, null);
    await refreshEndedMemberships(buffer, key);
    await refreshEndedTopics(buffer, key);
    return;
  }
  await upsertGroup(
    buffer,
    key,
    [
      ...(p.type !== null ? [write(GROUP.type, v, { type: p.type })] : []),
      write(GROUP.name, v, { name: p.name }),
      write(GROUP.introduction, v, { introduction: p.introduction }),
      write(GROUP.notification, v, { notification: p.notification }),
      write(GROUP.faceUrl, v, { face_url: p.faceUrl }),
      write(GROUP.owner, v, { owner_account: p.owner }),
      ...(p.createTime !== null
        ? [
            write(GROUP.created, echoVersion(p.createTime), {
              created_at: new Date(p.createTime * 1000),
              created_by: null,
              custom_data: p.customData,
            }),
          ]
        : []),
    ],
    { aliveV: v },
  );
}

/**
 * A complete member list: each member in it present (role and name card at the snapshot's version, its
 * JoinTime at the start of that second); the list recorded, so that every membership that began before it
 * and is not in it ends there ('Reconciled'), now or when its older callbacks arrive.
 */
async function members(buffer: StatementBuffer, s: Of<'members'>): Promise<void> {
  const key = keyOf(s);
  const v = s.version;
  await upsertGroup(buffer, key, []); // locks the group first, like every group event
  if (s.complete)
    await buffer.add(
      `INSERT INTO group_member_lists (sdk_app_id, group_id, v, read_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [s.sdkAppId, s.groupId, v.toString(), new Date(s.time)],
    );
  const byAccount = new Map(s.members.map((m) => [m.account, m]));
  const rows = [...byAccount.values()].map((m) => {
    const writes: Write[] = [
      write(MEMBER.role, v, { role: m.role }),
      write(MEMBER.nameCard, v, { name_card: m.nameCard }),
      ...(m.joinTime !== null
        ? [
            write(MEMBER.joined, echoVersion(m.joinTime), {
              joined_at: new Date(m.joinTime * 1000),
              join_type: null,
            }),
          ]
        : []),
    ];
    return { account: m.account, withJoin: m.joinTime !== null, ...combine(writes) };
  });
  for (const withJoin of [true, false]) {
    for (const part of chunk(
      rows.filter((r) => r.withJoin === withJoin),
      CHUNK,
    )) {
      await upsertLww(buffer, {
        table: 'group_members',
        key: ['sdk_app_id', 'group_id', 'member_account'],
        registers: part[0]!.registers,
        maxima: ['present_v'],
        rows: part.map((r) => ({
          sdk_app_id: s.sdkAppId,
          group_id: s.groupId,
          member_account: r.account,
          present_v: v,
          ...r.values,
        })),
      });
    }
  }
  await refreshEndedMemberships(buffer, key);
}

/** The group's attributes: as an attribute `set` at the snapshot's version (older keys hidden). */
async function attributes(buffer: StatementBuffer, s: Of<'attributes'>): Promise<void> {
  const t = s.version.toString();
  const entries = Object.fromEntries(Object.entries(s.attributes).map(([k, value]) => [k, { v: value, t }]));
  await upsertGroup(buffer, keyOf(s), [], { attrs: { entries, resetV: s.version } });
}

/**
 * The complete topic list of a Community: each topic alive, its fields at the snapshot's version, its
 * creation at CreateTime; the list recorded, so that every topic that began before it and is not in it ends
 * there, now or when its older callbacks arrive.
 */
async function topics(buffer: StatementBuffer, s: Of<'topics'>): Promise<void> {
  const key = keyOf(s);
  const v = s.version;
  await upsertGroup(buffer, key, []);
  await buffer.add(
    `INSERT INTO topic_lists (sdk_app_id, group_id, v, read_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
    [s.sdkAppId, s.groupId, v.toString(), new Date(s.time)],
  );
  const rows = s.topics.map((t) => ({
    t,
    ...combine([
      write(TOPIC.name, v, { name: t.name }),
      write(TOPIC.introduction, v, { introduction: t.introduction }),
      write(TOPIC.notification, v, { notification: t.notification }),
      write(TOPIC.faceUrl, v, { face_url: t.faceUrl }),
      write(TOPIC.owner, v, { owner_account: t.owner }),
      ...(t.createTime !== null
        ? [
            write(TOPIC.created, echoVersion(t.createTime), {
              created_at: new Date(t.createTime * 1000),
              custom_data: null,
            }),
          ]
        : []),
    ]),
  }));
  for (const withCreate of [true, false]) {
    for (const part of chunk(
      rows.filter((r) => (r.t.createTime !== null) === withCreate),
      CHUNK,
    )) {
      await upsertLww(buffer, {
        table: 'topics',
        key: ['sdk_app_id', 'group_id', 'topic_id'],
        registers: part[0]!.registers,
        minima: ['first_seen_v'],
        maxima: ['present_v'],
        rows: part.map((r) => ({
          sdk_app_id: s.sdkAppId,
          group_id: s.groupId,
          topic_id: r.t.topicId,
          first_seen_v: v,
          present_v: v,
          ...r.values,
        })),
      });
    }
  }
  await refreshEndedTopics(buffer, key);
}

/** Profile tags, each at the snapshot's version. */
async function profile(buffer: StatementBuffer, s: Of<'profile'>): Promise<void> {
  const t = s.version.toString();
  const entries = Object.fromEntries(Object.entries(s.tags).map(([tag, value]) => [tag, { v: value, t }]));
  await upsertLww(buffer, {
    table: 'users',
    key: ['sdk_app_id', 'user_id'],
    registers: [],
    merges: { profile_entries: 'lww_merge' },
    rows: [{ sdk_app_id: s.sdkAppId, user_id: s.userId, profile_entries: entries }],
  });
}

/**
 * The online state at the snapshot's version. A snapshot knows no action, reason, platform, address or
 * time of change: those are cleared when it is the latest word on the user.
 */
async function online(buffer: StatementBuffer, s: Of<'online'>): Promise<void> {
  const { registers, values } = combine([
    write(USER.state, s.version, {
      online_status: s.status,
      last_action: null,
      last_reason: null,
      last_platform: null,
      last_client_ip: null,
      state_changed_at: null,
    }),
  ]);
  await upsertLww(buffer, {
    table: 'users',
    key: ['sdk_app_id', 'user_id'],
    registers,
    rows: [{ sdk_app_id: s.sdkAppId, user_id: s.userId, ...values }],
  });
}

/**
 * A user's complete friend list or blocklist: each pair in it friend / blocked at the snapshot's version;
 * every other pair of the user not written since becomes removed / unblocked at that version.
 */
async function relations(buffer: StatementBuffer, s: Of<'friends' | 'blocklist'>): Promise<void> {
  const table = s.kind === 'friends' ? 'friendships' : 'blocklist';
  const v = s.version;
  await lockRelations(buffer, table, s.sdkAppId, s.userId);
  await buffer.add(
    `INSERT INTO relation_lists (sdk_app_id, kind, from_account, v) VALUES ($1, $2, $3, $4)
     ON CONFLICT (sdk_app_id, kind, from_account) DO UPDATE SET v = GREATEST(relation_lists.v, EXCLUDED.v)`,
    [s.sdkAppId, table, s.userId, v.toString()],
  );
  const status = s.kind === 'friends' ? 'friend' : 'blocked';
  for (const part of chunk([...new Set(s.accounts)], CHUNK)) {
    const { registers, values } = combine([write(RELATION.status, v, { status })]);
    await upsertLww(buffer, {
      table,
      key: ['sdk_app_id', 'from_account', 'to_account'],
      registers,
      maxima: ['present_v'],
      rows: part.map((to) => ({
        sdk_app_id: s.sdkAppId,
        from_account: s.userId,
        to_account: to,
        present_v: v,
        ...values,
      })),
    });
  }
  await refreshRelations(buffer, table, s.sdkAppId, s.userId, null);
}

const WRITERS: { [K in Snapshot['kind']]: (buffer: StatementBuffer, s: Of<K>) => Promise<void> } = {
  group,
  members,
  attributes,
  topics,
  profile,
  online,
  friends: relations,
  blocklist: relations,
};

/** Applies one snapshot to the stores as one transaction, under the same rules as callbacks. */
export async function applySnapshot(db: Db, s: Snapshot, executor?: Executor): Promise<void> {
  const writer = WRITERS[s.kind] as (buffer: StatementBuffer, s: Snapshot) => Promise<void>;
  const lockKey = 'groupId' in s ? `groups:${s.sdkAppId}:${s.groupId}` : `users:${s.sdkAppId}:${s.userId}`;
  await applyAsOneTransaction(db, (buffer) => writer(buffer, s), executor, lockKey);
}
