import { UnrecoverableError } from 'bullmq';
import { parseSyncBatch, parseSyncJob, type SyncEvent, type SyncedCommand } from '@imsync/callbacks';
import { applyAsOneTransaction, type Db } from './db.js';
import { isPermanent } from './retry-rule.js';
import type { Executor } from './statements.js';
import { HANDLERS } from './handlers/index.js';
import type { Handler, HandlerResult } from './handlers/types.js';

/**
 * Validates a job's data against the catalog: a job that can never succeed fails at once. Parsing is pure
 * (no I/O), so whatever it throws is a property of the job and permanent.
 */
export function parseJob(name: string, data: unknown): SyncEvent {
  let event: SyncEvent;
  try {
    event = parseSyncJob(data);
  } catch (err) {
    throw new UnrecoverableError(`invalid job: ${(err as Error).message}`);
  }
  if (event.command !== name) {
    throw new UnrecoverableError(`invalid job: job name ${name} differs from its command ${event.command}`);
  }
  return event;
}

/**
 * Validates a batch job: an invalid envelope fails the job at once; each callback is parsed on its own, and
 * one that is invalid is returned as its (permanent) error, so that it does not stop the others.
 */
export function parseBatchJob(data: unknown): (SyncEvent | UnrecoverableError)[] {
  let items: readonly unknown[];
  try {
    items = parseSyncBatch(data);
  } catch (err) {
    throw new UnrecoverableError(`invalid job: ${(err as Error).message}`);
  }
  return items.map((item) => {
    try {
      return parseSyncJob(item);
    } catch (err) {
      return new UnrecoverableError(`invalid callback: ${(err as Error).message}`);
    }
  });
}

/**
 * The row a job locks first, as `table:app:key` — its group (topic events lock their group first too), its
 * user, or its first pair: group commits are ordered by it, so that groups from several workers tend to
 * lock rows alike (best effort: a deadlock is still resolved by replaying the group job by job).
 */
export function lockKeyOf(event: SyncEvent): string {
  const e = event.event as {
    GroupId?: string;
    From_Account?: string;
    Info?: { To_Account?: string };
    PairList?: { From_Account: string; To_Account: string }[];
  };
  const pair = e.PairList?.map((p) => `${p.From_Account}\u0000${p.To_Account}`).sort()[0];
  const [table, key] =
    e.GroupId !== undefined
      ? ['groups', e.GroupId]
      : e.PairList !== undefined
        ? [event.command.startsWith('Sns.CallbackBlackList') ? 'blocklist' : 'friendships', pair ?? '']
        : ['users', e.Info?.To_Account ?? e.From_Account ?? ''];
  return `${table}:${event.sdkAppId}:${key}`;
}

/** Applies one event to the stores as one transaction (alone, or group-committed through `executor`). */
export async function applyEvent(db: Db, event: SyncEvent, executor?: Executor): Promise<HandlerResult> {
  const handler = HANDLERS[event.command] as Handler<SyncedCommand>;
  try {
    return await applyAsOneTransaction(db, (buffer) => handler(buffer, event), executor, lockKeyOf(event));
  } catch (err) {
    if (isPermanent(err)) {
      throw new UnrecoverableError(`${event.command} cannot be applied: ${(err as Error).message}`);
    }
    throw err; // transient (connection lost, deadlock, serialization failure): retried with backoff
  }
}
