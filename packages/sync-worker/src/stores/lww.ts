import type { StatementBuffer } from '../db.js';

/** A last-writer-wins register: columns written together, guarded by one version column. */
export interface Register {
  readonly version: string;
  readonly columns: readonly string[];
}

/** One register's new values, at one version. */
export interface Write {
  readonly register: Register;
  readonly values: Record<string, unknown>;
}

/** `write(GROUP.name, v, { name: 'x' })`: the values of a register, stamped with the event's version. */
export function write(register: Register, version: bigint, values: Record<string, unknown>): Write {
  for (const c of register.columns) {
    if (!(c in values)) throw new Error(`write(${register.version}): no value for ${c}`);
  }
  return { register, values: { ...values, [register.version]: version } };
}

/** Merges writes into one row's register list and values. */
export function combine(writes: readonly Write[]): {
  registers: Register[];
  values: Record<string, unknown>;
} {
  return {
    registers: writes.map((w) => w.register),
    values: Object.assign({}, ...writes.map((w) => w.values)) as Record<string, unknown>,
  };
}

/** The merge functions of the migrations: `lww_merge` (per-key LWW maps), `last_msgs_merge` (last-message candidates). */
export type MergeFunction = 'lww_merge' | 'last_msgs_merge';

export interface LwwUpsert {
  readonly table: string;
  readonly key: readonly string[];
  /** Registers every row of this statement writes (each row has a value for each of their columns). */
  readonly registers: readonly Register[];
  /** jsonb columns merged with a SQL function of (current, incoming): `{ attr_entries: 'lww_merge' }`. */
  readonly merges?: Readonly<Record<string, MergeFunction>>;
  /** Columns that only grow (`GREATEST`). */
  readonly maxima?: readonly string[];
  /** Columns that only shrink (`LEAST`). */
  readonly minima?: readonly string[];
  /** One object per row: key columns, register columns and versions, maps, maxima. */
  readonly rows: readonly Record<string, unknown>[];
}

const statements = new Map<string, { sql: string; columns: string[] }>();

function buildSql(u: LwwUpsert, rowCount: number): { sql: string; columns: string[] } {
  const columns = [
    ...u.key,
    ...u.registers.flatMap((r) => [...r.columns, r.version]),
    ...Object.keys(u.merges ?? {}),
    ...(u.maxima ?? []),
    ...(u.minima ?? []),
  ];
  const t = u.table;
  const sets = [
    ...u.registers.flatMap((r) => {
      const newer = `(${t}.${r.version} IS NULL OR EXCLUDED.${r.version} > ${t}.${r.version})`;
      return [
        ...r.columns.map((c) => `${c} = CASE WHEN ${newer} THEN EXCLUDED.${c} ELSE ${t}.${c} END`),
        `${r.version} = GREATEST(${t}.${r.version}, EXCLUDED.${r.version})`,
      ];
    }),
    ...Object.entries(u.merges ?? {}).map(([c, fn]) => `${c} = ${fn}(${t}.${c}, EXCLUDED.${c})`),
    ...(u.maxima ?? []).map((c) => `${c} = GREATEST(${t}.${c}, EXCLUDED.${c})`),
    ...(u.minima ?? []).map((c) => `${c} = LEAST(${t}.${c}, EXCLUDED.${c})`),
    'updated_at = now()',
  ];
  const values = Array.from(
    { length: rowCount },
    (_, i) => `(${columns.map((_, j) => `$${i * columns.length + j + 1}`).join(', ')})`,
  );
  const sql =
    `INSERT INTO ${t} (${columns.join(', ')}) VALUES ${values.join(', ')} ` +
    `ON CONFLICT (${u.key.join(', ')}) DO UPDATE SET ${sets.join(', ')}`;
  return { sql, columns };
}

/** Each register's part of a statement's signature, built once per register (registers are constants). */
const registerSignatures = new WeakMap<Register, string>();
function registerSignature(r: Register): string {
  let sig = registerSignatures.get(r);
  if (sig === undefined) registerSignatures.set(r, (sig = `${r.version}:${r.columns.join(',')}`));
  return sig;
}

/** What the statement's text depends on, field by field: its cache key. */
function signatureOf(u: LwwUpsert): string {
  let registers = '';
  for (const r of u.registers) registers += `${registerSignature(r)};`;
  let merges = '';
  if (u.merges) for (const c of Object.keys(u.merges)) merges += `${c}=${u.merges[c]};`;
  return `${u.table}|${u.key.join(',')}|${u.rows.length}|${registers}|${merges}|${u.maxima?.join(',') ?? ''}|${u.minima?.join(',') ?? ''}`;
}

/**
 * Inserts or merges rows so that every register keeps the value of the event with the greatest version,
 * whatever order the events arrive in. One statement; rows are written in key order so that concurrent
 * jobs lock rows in the same order. Taking the row lock also serialises jobs on the same row.
 */
export async function upsertLww(buffer: StatementBuffer, u: LwwUpsert): Promise<void> {
  if (u.rows.length === 0) return;
  const signature = signatureOf(u);
  let built = statements.get(signature);
  if (!built) {
    built = buildSql(u, u.rows.length);
    statements.set(signature, built);
  }
  const { sql, columns } = built;
  let rows = u.rows;
  if (rows.length > 1) {
    const keyed = rows.map((r) => ({ r, k: u.key.map((k) => String(r[k])).join('\u0000') }));
    keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
    rows = keyed.map(({ r }) => r);
  }
  const params: unknown[] = [];
  for (const r of rows) {
    for (const c of columns) {
      const v = r[c];
      if (v === undefined) throw new Error(`upsertLww(${u.table}): row has no value for ${c}`);
      // node-postgres sends a JS array as a PostgreSQL array: a jsonb array must go as JSON text
      params.push(typeof v === 'bigint' ? v.toString() : Array.isArray(v) ? JSON.stringify(v) : v);
    }
  }
  await buffer.add(sql, params);
}
