import type { SyncEvent, SyncedCommand } from '@imsync/callbacks';
import type { StatementBuffer } from '../db.js';

/** What a job returns (BullMQ keeps it as the job's return value, visible in the dashboard). */
export type HandlerResult = { readonly applied: true } | { readonly skipped: string };

export type Handler<C extends SyncedCommand> = (
  buffer: StatementBuffer,
  e: SyncEvent<C>,
) => Promise<HandlerResult>;

/** One handler for every synced command: the compiler refuses a catalog entry without one. */
export type HandlerTable = { readonly [C in SyncedCommand]: Handler<C> };

export const APPLIED: HandlerResult = Object.freeze({ applied: true });

/** The event's time as a timestamp. */
export const atOf = (e: SyncEvent): Date => new Date(e.eventTime);
