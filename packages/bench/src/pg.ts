import pg from 'pg';
import { TABLES, type Probe, type Table } from '@imsync/testing';

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Rows in each store table of a schema. */
export function tableCounts(url: string, schema: string): Promise<Record<Table, number>> {
  return withClient(url, async (c) => {
    const counts = {} as Record<Table, number>;
    for (const t of TABLES) {
      const { rows } = await c.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".${t}`);
      counts[t] = Number(rows[0]?.n ?? 0);
    }
    return counts;
  });
}

/**
 * Creates the database `url` names when the server does not have it (through the server's `postgres`
 * database): the bench needs nothing made by hand. Says whether it created it.
 */
export async function ensureDatabase(url: string): Promise<boolean> {
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

export const probeKey = (p: Probe): string => `${p.table}\u0000${p.value}`;

/**
 * When each probe row was last written (updated_at, µs precision, as ms since the epoch), by probeKey.
 * updated_at is now() of the writing transaction: the moment it began, a little before its commit.
 */
export function appliedTimes(
  url: string,
  schema: string,
  probes: readonly Probe[],
): Promise<Map<string, number>> {
  return withClient(url, async (c) => {
    const times = new Map<string, number>();
    const byColumn = new Map<string, Probe[]>();
    for (const p of probes) {
      const k = `${p.table}.${p.column}`;
      const list = byColumn.get(k);
      if (list) list.push(p);
      else byColumn.set(k, [p]);
    }
    for (const list of byColumn.values()) {
      const { table, column } = list[0]!;
      const { rows } = await c.query<{ k: string; t: string }>(
        `SELECT ${column} AS k, (extract(epoch FROM max(updated_at)) * 1000)::float8 AS t
         FROM "${schema}".${table} WHERE ${column} = ANY($1) GROUP BY ${column}`,
        [list.map((p) => p.value)],
      );
      for (const r of rows) times.set(`${table}\u0000${r.k}`, Number(r.t));
    }
    return times;
  });
}
