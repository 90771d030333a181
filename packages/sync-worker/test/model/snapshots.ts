import {
  echoVersion,
  snapshotVersion,
  type Snapshot,
  type SnapshotKind,
} from '../../src/backfill/snapshot.js';
import { destroyGroup } from './groups.js';
import type { StoreModel } from './model.js';
import { T0 } from './history.js';

/**
 * A snapshot as the model applies it, in version order with the callbacks: what it says at its version,
 * and the events it reports by their second (a group's CreateTime, a member's JoinTime, a topic's
 * CreateTime) at the start of that second.
 */
export interface Step {
  readonly version: bigint;
  readonly apply: (model: StoreModel) => void;
}

/** A creation Tencent reports for an entity whose creation the history does not hold: before the history. */
const BEFORE = T0 - 1000;
const seconds = (ms: number | null): number => Math.floor((ms ?? BEFORE) / 1000);

export function stepsOf(s: Snapshot): Step[] {
  const app = s.sdkAppId;
  const t = s.time;
  const at = (version: bigint, apply: (model: StoreModel) => void): Step => ({ version, apply });
  switch (s.kind) {
    case 'group': {
      const p = s.profile;
      if (!p) return [at(s.version, (m) => destroyGroup(m, app, s.groupId, t, null))];
      return [
        ...(p.createTime !== null
          ? [
              at(echoVersion(p.createTime), (m) => {
                const g = m.groups.get(app, s.groupId);
                g.created_at = p.createTime! * 1000;
                g.created_by = null;
                g.custom_data = { ...p.customData };
                g.destroyed_at = null;
                g.lastMsg = null;
              }),
            ]
          : []),
        at(s.version, (m) => {
          const g = m.groups.get(app, s.groupId);
          if (p.type !== null) g.type = p.type;
          g.name = p.name;
          g.introduction = p.introduction;
          g.notification = p.notification;
          g.face_url = p.faceUrl;
          g.owner_account = p.owner;
          g.destroyed_at = null;
        }),
      ];
    }
    case 'members':
      return [
        ...s.members
          .filter((x) => x.joinTime !== null)
          .map((x) =>
            at(echoVersion(x.joinTime!), (m) => {
              const row = m.members.get(app, s.groupId, x.account);
              row.joined_at = x.joinTime! * 1000;
              row.join_type = null;
            }),
          ),
        at(s.version, (m) => {
          m.groups.get(app, s.groupId);
          const listed = new Map(s.members.map((x) => [x.account, x]));
          for (const { key, value: row } of m.members.entries()) {
            if (!s.complete || key[0] !== app || key[1] !== s.groupId || listed.has(String(key[2]))) continue;
            if (row.status === 'joined') {
              row.status = 'left';
              row.left_at = t;
              row.exit_type = 'Reconciled';
              row.operator_account = null;
            }
          }
          for (const x of listed.values()) {
            const row = m.members.get(app, s.groupId, x.account);
            row.role = x.role;
            row.name_card = x.nameCard;
            if (row.status !== 'joined') {
              row.status = 'joined';
              row.left_at = null;
              row.exit_type = null;
              row.operator_account = row.cb?.joined ? row.cb.operator : null;
            }
          }
        }),
      ];
    case 'attributes':
      return [
        at(s.version, (m) => {
          m.groups.get(app, s.groupId).attributes = new Map(Object.entries(s.attributes));
        }),
      ];
    case 'topics':
      return [
        ...s.topics
          .filter((x) => x.createTime !== null)
          .map((x) =>
            at(echoVersion(x.createTime!), (m) => {
              const tp = m.topics.get(app, s.groupId, x.topicId);
              tp.created_at = x.createTime! * 1000;
              tp.custom_data = null;
              tp.destroyed_at = null;
            }),
          ),
        at(s.version, (m) => {
          m.groups.get(app, s.groupId);
          const listed = new Set(s.topics.map((x) => x.topicId));
          for (const { key, value: tp } of m.topics.entries()) {
            if (
              key[0] === app &&
              key[1] === s.groupId &&
              !listed.has(String(key[2])) &&
              tp.destroyed_at === null
            )
              tp.destroyed_at = t;
          }
          for (const x of s.topics) {
            const tp = m.topics.get(app, s.groupId, x.topicId);
            tp.destroyed_at = null;
            tp.name = x.name;
            tp.introduction = x.introduction;
            tp.notification = x.notification;
            tp.face_url = x.faceUrl;
            tp.owner_account = x.owner;
          }
        }),
      ];
    case 'profile':
      return [
        at(s.version, (m) => {
          const u = m.users.get(app, s.userId);
          for (const [tag, value] of Object.entries(s.tags)) u.profile.set(tag, value);
        }),
      ];
    case 'online':
      return [
        at(s.version, (m) => {
          Object.assign(m.users.get(app, s.userId), {
            online_status: s.status,
            last_action: null,
            last_reason: null,
            last_platform: null,
            last_client_ip: null,
            state_changed_at: null,
          });
        }),
      ];
    case 'friends':
    case 'blocklist':
      return [
        at(s.version, (m) => {
          const table = s.kind === 'friends' ? m.friendships : m.blocklist;
          const listed = new Set(s.accounts);
          for (const { key, value } of table.entries()) {
            if (key[0] === app && key[1] === s.userId && !listed.has(String(key[2])))
              value.status = s.kind === 'friends' ? 'removed' : 'unblocked';
          }
          for (const to of listed) {
            const row = table.get(app, s.userId, to);
            row.status = s.kind === 'friends' ? 'friend' : 'blocked';
          }
        }),
      ];
  }
}

/** What a snapshot request is about: a kind, an app, a group or a user. */
export interface SnapshotRequest {
  readonly kind: SnapshotKind;
  readonly app: number;
  readonly id: string;
  /** ms */
  readonly time: number;
}

/**
 * What Tencent answers at the request's time, from its state (`tencent`: the callbacks older than the
 * snapshot's version applied in order). Member lists, attributes and topics of a group that does not exist
 * are not snapshots (Tencent answers 10010: the sweep reads the group's profile instead).
 */
export function tencentSnapshot(tencent: StoreModel, r: SnapshotRequest, version: bigint): Snapshot | null {
  const head = { sdkAppId: r.app, time: r.time, version };
  const groupRow = tencent.groups.rows.get(`${r.app}\u0000${r.id}`)?.value;
  const alive = groupRow !== undefined && groupRow.destroyed_at === null;
  const ofGroup = <V>(table: { entries(): { key: (string | number)[]; value: V }[] }) =>
    table.entries().filter(({ key }) => key[0] === r.app && key[1] === r.id);
  switch (r.kind) {
    case 'group':
      return {
        ...head,
        kind: 'group',
        groupId: r.id,
        profile:
          alive && groupRow
            ? {
                type: groupRow.type,
                name: groupRow.name,
                introduction: groupRow.introduction,
                notification: groupRow.notification,
                faceUrl: groupRow.face_url,
                owner: groupRow.owner_account,
                createTime: seconds(groupRow.created_at),
                customData: (groupRow.custom_data as Record<string, string> | null) ?? {},
              }
            : null,
      };
    case 'members':
      if (!alive) return null;
      return {
        ...head,
        kind: 'members',
        groupId: r.id,
        complete: true,
        members: ofGroup(tencent.members)
          .filter(({ value }) => value.status === 'joined')
          .map(({ key, value }) => ({
            account: String(key[2]),
            role: value.role,
            nameCard: value.name_card,
            joinTime: seconds(value.joined_at),
          })),
      };
    case 'attributes':
      if (!alive) return null;
      return {
        ...head,
        kind: 'attributes',
        groupId: r.id,
        attributes: Object.fromEntries(groupRow!.attributes),
      };
    case 'topics':
      if (!alive) return null;
      return {
        ...head,
        kind: 'topics',
        groupId: r.id,
        topics: ofGroup(tencent.topics)
          .filter(({ value }) => value.destroyed_at === null)
          .map(({ key, value }) => ({
            topicId: String(key[2]),
            name: value.name,
            introduction: value.introduction,
            notification: value.notification,
            faceUrl: value.face_url,
            owner: value.owner_account,
            createTime: seconds(value.created_at),
          })),
      };
    case 'profile': {
      const u = tencent.users.rows.get(`${r.app}\u0000${r.id}`)?.value;
      return { ...head, kind: 'profile', userId: r.id, tags: Object.fromEntries(u?.profile ?? []) };
    }
    case 'online': {
      const u = tencent.users.rows.get(`${r.app}\u0000${r.id}`)?.value;
      return { ...head, kind: 'online', userId: r.id, status: u?.online_status ?? 'Offline' };
    }
    case 'friends':
    case 'blocklist': {
      const table = r.kind === 'friends' ? tencent.friendships : tencent.blocklist;
      const status = r.kind === 'friends' ? 'friend' : 'blocked';
      return {
        ...head,
        kind: r.kind,
        userId: r.id,
        accounts: table
          .entries()
          .filter(({ key, value }) => key[0] === r.app && key[1] === r.id && value.status === status)
          .map(({ key }) => String(key[2])),
      };
    }
  }
}

/** The version of a request's snapshot (as the sweep computes it). */
export const requestVersion = (r: SnapshotRequest): bigint =>
  snapshotVersion(r.app, r.time, `${r.kind}:${r.id}`);
