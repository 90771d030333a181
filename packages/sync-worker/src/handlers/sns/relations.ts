import type { SyncEvent } from '@imsync/callbacks';
import type { StatementBuffer } from '../../db.js';
import { combine, upsertLww, type Write } from '../../stores/lww.js';
import { lockRelations, refreshRelations } from '../../stores/others.js';

/**
 * One row per (From_Account, To_Account) pair; a later pair in the list wins. Then each pair that a later
 * complete list of its user (a snapshot) did not contain is ended at that list's version. The users are
 * locked first, so that a concurrent list snapshot of one of them sees this callback or is seen by it.
 */
export async function upsertPairs(
  buffer: StatementBuffer,
  table: 'friendships' | 'blocklist',
  e: SyncEvent,
  pairs: readonly { From_Account: string; To_Account: string; writes: readonly Write[] }[],
): Promise<void> {
  const byPair = new Map(pairs.map((p) => [`${p.From_Account}\u0000${p.To_Account}`, p]));
  const rows = [...byPair.values()].map((p) => ({ p, ...combine(p.writes) }));
  const first = rows[0];
  if (!first) return;
  const froms = [...new Set(rows.map(({ p }) => p.From_Account))].sort();
  for (const from of froms) await lockRelations(buffer, table, e.sdkAppId, from);
  await upsertLww(buffer, {
    table,
    key: ['sdk_app_id', 'from_account', 'to_account'],
    registers: first.registers,
    rows: rows.map(({ p, values }) => ({
      sdk_app_id: e.sdkAppId,
      from_account: p.From_Account,
      to_account: p.To_Account,
      ...values,
    })),
  });
  const byFrom = new Map<string, string[]>();
  for (const { p } of rows) byFrom.set(p.From_Account, [...(byFrom.get(p.From_Account) ?? []), p.To_Account]);
  for (const [from, to] of byFrom) await refreshRelations(buffer, table, e.sdkAppId, from, to);
}
