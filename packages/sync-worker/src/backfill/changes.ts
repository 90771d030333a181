import type { Db } from '../db.js';
import type { Snapshot } from './snapshot.js';

/** Rows a sweep inserted, changed and ended, per table. */
export type Changes = Record<string, { inserted: number; changed: number; ended: number }>;

interface View {
  readonly table: string;
  readonly sql: string;
  readonly params: unknown[];
  /** A row that is no longer in force. */
  readonly ended: (row: Record<string, unknown>) => boolean;
  readonly key: (row: Record<string, unknown>) => string;
}

/** The documented rows a snapshot can write, as the user sees them. */
function viewOf(s: Snapshot): View {
  const app = s.sdkAppId;
  switch (s.kind) {
    case 'group':
    case 'attributes':
      return {
        table: 'groups',
        sql: `SELECT group_id, type, name, introduction, notification, face_url, owner_account, custom_data,
                     attributes, created_at, destroyed_at FROM groups WHERE sdk_app_id = $1 AND group_id = $2`,
        params: [app, s.groupId],
        ended: (r) => r.destroyed_at !== null,
        key: (r) => String(r.group_id),
      };
    case 'members':
      return {
        table: 'group_members',
        sql: `SELECT member_account, role, name_card, status, joined_at, left_at, exit_type FROM group_members
              WHERE sdk_app_id = $1 AND group_id = $2`,
        params: [app, s.groupId],
        ended: (r) => r.status !== 'joined',
        key: (r) => String(r.member_account),
      };
    case 'topics':
      return {
        table: 'topics',
        sql: `SELECT topic_id, name, introduction, notification, face_url, owner_account, created_at, destroyed_at
              FROM topics WHERE sdk_app_id = $1 AND group_id = $2`,
        params: [app, s.groupId],
        ended: (r) => r.destroyed_at !== null,
        key: (r) => String(r.topic_id),
      };
    case 'profile':
    case 'online':
      return {
        table: 'users',
        sql: `SELECT user_id, online_status, profile FROM users WHERE sdk_app_id = $1 AND user_id = $2`,
        params: [app, s.userId],
        ended: () => false,
        key: (r) => String(r.user_id),
      };
    case 'friends':
    case 'blocklist': {
      const table = s.kind === 'friends' ? 'friendships' : 'blocklist';
      return {
        table,
        sql: `SELECT to_account, status FROM ${table} WHERE sdk_app_id = $1 AND from_account = $2`,
        params: [app, s.userId],
        ended: (r) => r.status !== 'friend' && r.status !== 'blocked',
        key: (r) => String(r.to_account),
      };
    }
  }
}

/**
 * Applies a snapshot and counts what it changed, by reading the rows it can touch before and after (a
 * callback applied meanwhile may be counted too). An insert is a row that was not there; an end is a row
 * in force that is no longer; a change is any other difference.
 */
export async function countingChanges(
  db: Db,
  s: Snapshot,
  apply: () => Promise<void>,
  into: Changes,
): Promise<void> {
  const view = viewOf(s);
  const read = async () => {
    const res = await db.query<Record<string, unknown>>(view.sql, view.params);
    return new Map(res.rows.map((r) => [view.key(r), r]));
  };
  const before = await read();
  await apply();
  const after = await read();
  const c = (into[view.table] ??= { inserted: 0, changed: 0, ended: 0 });
  for (const [k, row] of after) {
    const old = before.get(k);
    if (!old) c.inserted++;
    else if (!view.ended(old) && view.ended(row)) c.ended++;
    else if (JSON.stringify(old) !== JSON.stringify(row)) c.changed++;
  }
}
