import type { StatementBuffer } from '../db.js';
import { combine, upsertLww, type Register, type Write } from './lww.js';

/** The registers of `friendships` and `blocklist`. */
export const RELATION = {
  status: { version: 'status_v', columns: ['status'] },
  initiator: { version: 'initiator_v', columns: ['initiator_account'] },
} as const satisfies Record<string, Register>;

/**
 * Writes the absence of pairs from their user's latest complete list (backfill, reconcile) as an event at
 * that list's version (see `refresh_relations` in the migrations). For the given pairs' users, or a user's
 * every pair when `to` is null.
 */
export async function refreshRelations(
  buffer: StatementBuffer,
  table: 'friendships' | 'blocklist',
  sdkAppId: number,
  from: string,
  to: readonly string[] | null,
): Promise<void> {
  await buffer.add('SELECT refresh_relations($1, $2, $3, $4::text[])', [
    sdkAppId,
    table,
    from,
    to ? [...to] : null,
  ]);
}

/**
 * Serialises the writes to one user's pairs of one table (callbacks and list snapshots): a list snapshot
 * and a callback on the same user, each committing without seeing the other, would miss each other. Held
 * until the transaction ends. Callers lock several users in sorted order.
 */
export async function lockRelations(
  buffer: StatementBuffer,
  table: 'friendships' | 'blocklist',
  sdkAppId: number,
  from: string,
): Promise<void> {
  await buffer.add('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
    `imsync:${table}:${sdkAppId}:${from}`,
  ]);
}

/**
 * One row per (From_Account, To_Account) pair; a later pair in the list wins. Then each pair that a later
 * complete list of its user (a snapshot) did not contain is ended at that list's version. The users are
 * locked first, so that a concurrent list snapshot of one of them sees this callback or is seen by it.
 */
export async function upsertPairs(
  buffer: StatementBuffer,
  table: 'friendships' | 'blocklist',
  sdkAppId: number,
  pairs: readonly { From_Account: string; To_Account: string; writes: readonly Write[] }[],
): Promise<void> {
  const byPair = new Map(pairs.map((p) => [`${p.From_Account}\u0000${p.To_Account}`, p]));
  const rows = [...byPair.values()].map((p) => ({ p, ...combine(p.writes) }));
  const first = rows[0];
  if (!first) return;
  const froms = [...new Set(rows.map(({ p }) => p.From_Account))].sort();
  for (const from of froms) await lockRelations(buffer, table, sdkAppId, from);
  await upsertLww(buffer, {
    table,
    key: ['sdk_app_id', 'from_account', 'to_account'],
    registers: first.registers,
    rows: rows.map(({ p, values }) => ({
      sdk_app_id: sdkAppId,
      from_account: p.From_Account,
      to_account: p.To_Account,
      ...values,
    })),
  });
  const byFrom = new Map<string, string[]>();
  for (const { p } of rows) byFrom.set(p.From_Account, [...(byFrom.get(p.From_Account) ?? []), p.To_Account]);
  for (const [from, to] of byFrom) await refreshRelations(buffer, table, sdkAppId, from, to);
}
