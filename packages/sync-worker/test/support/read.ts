import type { Db } from '../../src/db.js';

/** A row of a documented table or view, normalised: timestamps as ms, bigints as numbers, jsonb as objects. */
export type Row = Record<string, string | number | boolean | null | Record<string, unknown>>;

/** The documented columns of each table and view (never updated_at, never the internal ones), and their keys. */
export const DOCUMENTED = {
  groups: {
    key: ['sdk_app_id', 'group_id'],
    columns: [
      'type',
      'name',
      'introduction',
      'notification',
      'face_url',
      'owner_account',
      'created_by',
      'custom_data',
      'attributes',
      'created_at',
      'destroyed_at',
      'full_at',
      'last_msg_seq',
      'last_msg_at',
      'last_msg_from',
    ],
  },
  group_members: {
    key: ['sdk_app_id', 'group_id', 'member_account'],
    columns: [
      'role',
      'name_card',
      'status',
      'join_type',
      'exit_type',
      'joined_at',
      'left_at',
      'operator_account',
      'online',
    ],
  },
  topics: {
    key: ['sdk_app_id', 'group_id', 'topic_id'],
    columns: [
      'name',
      'introduction',
      'notification',
      'face_url',
      'owner_account',
      'custom_data',
      'created_at',
      'destroyed_at',
    ],
  },
  users: {
    key: ['sdk_app_id', 'user_id'],
    columns: [
      'online_status',
      'last_action',
      'last_reason',
      'last_platform',
      'last_client_ip',
      'state_changed_at',
      'profile',
    ],
  },
  friendships: {
    key: ['sdk_app_id', 'from_account', 'to_account'],
    columns: ['status', 'initiator_account'],
  },
  blocklist: { key: ['sdk_app_id', 'from_account', 'to_account'], columns: ['status'] },
  active_groups: {
    key: ['sdk_app_id', 'group_id'],
    columns: [
      'type',
      'name',
      'introduction',
      'notification',
      'face_url',
      'owner_account',
      'created_by',
      'custom_data',
      'attributes',
      'created_at',
      'full_at',
      'last_msg_seq',
      'last_msg_at',
      'last_msg_from',
    ],
  },
  active_group_members: {
    key: ['sdk_app_id', 'group_id', 'member_account'],
    columns: ['role', 'name_card', 'join_type', 'joined_at', 'operator_account', 'online'],
  },
} as const;

export type StoreName = keyof typeof DOCUMENTED;
export type Stores = Record<StoreName, Row[]>;

const BIGINTS = new Set(['sdk_app_id', 'last_msg_seq']);

function normalise(row: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    if (v instanceof Date) out[k] = v.getTime();
    else if (BIGINTS.has(k) && v !== null) out[k] = Number(v);
    else out[k] = v as Row[string];
  }
  return out;
}

/** Orders rows by their key, so two reads (or a read and the model) compare with deep equality. */
export function sortRows(rows: Row[], key: readonly string[]): Row[] {
  const k = (r: Row) => key.map((c) => String(r[c])).join('\u0000');
  return [...rows].sort((a, b) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0));
}

/** Reads one documented table or view, optionally filtered by equality on some columns. */
export async function readStore(
  db: Db,
  name: StoreName,
  where: Record<string, unknown> = {},
): Promise<Row[]> {
  const { key, columns } = DOCUMENTED[name];
  const conds = Object.keys(where).map((c, i) => `${c} = $${i + 1}`);
  const res = await db.query<Record<string, unknown>>(
    `SELECT ${[...key, ...columns].join(', ')} FROM ${name}${conds.length ? ` WHERE ${conds.join(' AND ')}` : ''}`,
    Object.values(where),
  );
  return sortRows(res.rows.map(normalise), key);
}

/** Reads every documented table and view. */
export async function readStores(db: Db): Promise<Stores> {
  const names = Object.keys(DOCUMENTED) as StoreName[];
  const all = await Promise.all(names.map((n) => readStore(db, n)));
  return Object.fromEntries(names.map((n, i) => [n, all[i]])) as Stores;
}

/** The one row of `name` matching `where` (fails when there is not exactly one). */
export async function oneRow(db: Db, name: StoreName, where: Record<string, unknown>): Promise<Row> {
  const rows = await readStore(db, name, where);
  if (rows.length !== 1) throw new Error(`${name} ${JSON.stringify(where)}: ${rows.length} rows`);
  return rows[0]!;
}
