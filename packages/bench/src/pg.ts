import { withClient, type Probe } from '@imsync/testing';

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
