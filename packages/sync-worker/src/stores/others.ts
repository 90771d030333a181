import type { StatementBuffer } from '../db.js';
import type { Register } from './lww.js';

/** The registers of `topics`. */
export const TOPIC = {
  name: { version: 'name_v', columns: ['name'] },
  introduction: { version: 'introduction_v', columns: ['introduction'] },
  notification: { version: 'notification_v', columns: ['notification'] },
  faceUrl: { version: 'face_url_v', columns: ['face_url'] },
  owner: { version: 'owner_v', columns: ['owner_account'] },
  created: { version: 'created_v', columns: ['created_at', 'custom_data'] },
  destroyed: { version: 'destroyed_v', columns: ['last_destroyed_at'] },
} as const satisfies Record<string, Register>;

/** The registers of `users`. */
export const USER = {
  state: {
    version: 'state_v',
    columns: [
      'online_status',
      'last_action',
      'last_reason',
      'last_platform',
      'last_client_ip',
      'state_changed_at',
    ],
  },
} as const satisfies Record<string, Register>;

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
