import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { TABLES, type Probe, type Table } from './payloads.js';

export const TEST_DATABASE_URL =
  process.env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/imsync';

/** A schema name no other test uses. */
export function uniqueSchema(label = 'test'): string {
  return `imsync_${label}_${randomBytes(5).toString('hex')}`;
}

/** Drops a test's schema and everything in it. */
export async function dropSchema(schema: string, url = TEST_DATABASE_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Runs `fn` on a client of its own, closed afterwards. */
export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Rows in each store table of a schema (what `expectedRows` predicts for a series of payloads). */
export function tableCounts(schema: string, url = TEST_DATABASE_URL): Promise<Record<Table, number>> {
  return withClient(url, async (c) => {
    const counts = {} as Record<Table, number>;
    for (const t of TABLES) {
      const { rows } = await c.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".${t}`);
      counts[t] = Number(rows[0]?.n ?? 0);
    }
    return counts;
  });
}

/** A probe's key in `probeTimes`' answer. */
export const probeKey = (p: Probe): string => `${p.table}\u0000${p.value}`;

/**
 * When each probe's row was last written, by `probeKey`: its updated_at, ms since the epoch (now() of
 * the writing transaction: a little before its commit). A row not written yet is not in the map.
 */
export function probeTimes(
  schema: string,
  probes: readonly Probe[],
  url = TEST_DATABASE_URL,
): Promise<Map<string, number>> {
  const byColumn = new Map<string, Probe[]>();
  for (const p of probes) {
    const list = byColumn.get(`${p.table}.${p.column}`) ?? [];
    byColumn.set(`${p.table}.${p.column}`, list);
    list.push(p);
  }
  return withClient(url, async (c) => {
    const times = new Map<string, number>();
    for (const list of byColumn.values()) {
      const { table, column } = list[0]!;
      const { rows } = await c.query<{ k: string; t: string }>(
        `SELECT ${column} AS k, (extract(epoch FROM max(updated_at)) * 1000)::float8 AS t
         FROM "${schema}".${table} WHERE ${column} = ANY($1) GROUP BY ${column}`,
        [list.map((p) => p.value)],
      );
      for (const r of rows) times.set(probeKey({ table, column, value: r.k }), Number(r.t));
    }
    return times;
  });
}

/**
 * Creates the database `url` names when the server does not have it (through the server's `postgres`
 * database): a fresh machine needs nothing made by hand. Says whether it created it.
 */
export async function ensureDatabase(url = TEST_DATABASE_URL): Promise<boolean> {
  const probe = new pg.Client({ connectionString: url });
  try {
    await probe.connect();
    await probe.end();
    return false;
  } catch (err) {
    if ((err as { code?: string }).code !== '3D000') throw err; // 3D000: no such database
  }
  const server = new URL(url);
  const name = decodeURIComponent(server.pathname.slice(1));
  server.pathname = '/postgres';
  return withClient(server.toString(), async (c) => {
    try {
      await c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === '42P04') return false; // made meanwhile by someone else
      throw err;
    }
  });
}
