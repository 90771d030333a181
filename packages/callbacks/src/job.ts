import { hash } from 'node:crypto';
import { ValidationError } from 'yup';
import { compileParse, UNDECIDED, type FastParse } from './compiled-parse.js';
import { unstorableReason, type StorableRules } from './storable.js';
import { SYNCED_SCHEMAS, type EventOf, type SyncedCommand } from './synced.js';

/**
 * What ingest enqueues for every synced callback (the BullMQ job's data; the job's name is the command).
 * The body is kept as Tencent sent it: jobs outlive deploys, and the worker validates it again.
 */
export interface SyncJobData {
  /** Envelope version. */
  readonly v: 1;
  readonly sdkAppId: number;
  readonly command: string;
  /** From the query string; absent on some callbacks. */
  readonly clientIp: string | null;
  /** From the query string, normalised (`IOS` → `iOS`). */
  readonly optPlatform: string | null;
  /** When ingest received the request, ms since the epoch. */
  readonly receivedAt: number;
  /** sha256 of SdkAppid, command and the raw body: the duplicate key and the tie-breaker. */
  readonly eventKey: string;
  readonly body: Record<string, unknown>;
}

/**
 * The name of a sync job that carries several callbacks. Ingest puts the synced callbacks it accepts in one
 * event-loop turn into one job (one BullMQ add instead of one per callback); a turn with a single callback
 * gives a job of its own, named after its command.
 */
export const SYNC_BATCH_JOB = 'batch';

/** How many callbacks a batch carries at most unless ingest is told otherwise (`INGEST_BATCH_MAX`). */
export const DEFAULT_BATCH_MAX = 64;

/**
 * A batch job's data: the callbacks in the order ingest accepted them. Each callback of a batch has its
 * duplicate mark (kept by ingest, keyed by its event key) naming the batch job's id, unless an earlier
 * delivery of the same event already held the mark: such a callback is a duplicate, and the job says so in
 * its hash.
 */
export interface SyncBatchJobData {
  readonly v: 1;
  readonly events: readonly SyncJobData[];
}

/**
 * The field of a batch job's hash that lists, comma-separated, the indexes of its callbacks that were
 * duplicates when it was added (absent: none). Set with the job, in the same transaction; the worker skips
 * those callbacks whatever becomes of the marks later (they expire).
 */
export const BATCH_DUPLICATES_FIELD = 'imsyncDuplicates';

/** What ingest keeps on the unrouted queue: the whole request, for inspection. */
export interface UnroutedJobData {
  readonly sdkAppId: number;
  readonly command: string;
  readonly query: Record<string, string>;
  readonly receivedAt: number;
  readonly body: unknown;
}

/** The key that identifies one delivery's content: sha256(SdkAppid \n command \n raw body), hex. */
export function eventKeyOf(sdkAppId: number, command: string, rawBody: string): string {
  return hash('sha256', `${sdkAppId}\n${command}\n${rawBody}`, 'hex');
}

/**
 * The total order in which events win: the event time (ms), then the first 64 bits of the event key.
 * Encoded as one integer, `eventTime * 2^64 + key64`, so PostgreSQL compares versions as numerics.
 */
export function eventVersion(eventTimeMs: number, eventKey: string): bigint {
  return (BigInt(eventTimeMs) << 64n) | BigInt('0x' + eventKey.slice(0, 16));
}

/** A synced job after validation: the typed, normalised event with its time and version. */
export interface SyncEvent<C extends SyncedCommand = SyncedCommand> {
  readonly command: C;
  readonly sdkAppId: number;
  readonly clientIp: string | null;
  readonly optPlatform: string | null;
  readonly receivedAt: number;
  readonly eventKey: string;
  /** `EventTime` when the body has one, else the time ingest received it. */
  readonly eventTime: number;
  readonly version: bigint;
  readonly event: EventOf<C>;
}

/** Thrown when a body or job does not match the catalog; lists every failing field. */
export class InvalidCallbackError extends Error {
  constructor(readonly errors: readonly string[]) {
    super(errors.join('; '));
    this.name = 'InvalidCallbackError';
  }
}

const FAST_PARSES = new Map<string, FastParse | null>(
  Object.entries(SYNCED_SCHEMAS).map(([command, schema]) => [command, compileParse(schema)]),
);

/**
 * Validates and normalises a synced command's body (all errors, not just the first). First the rules of a
 * storable body (storable.ts: nesting, NUL, lone surrogates, finite numbers, no built-in keys), which no
 * schema casts before; then a parse compiled from the schema returns the normalised event of a valid body
 * fast, and anything it does not accept is handed to the schema itself, which decides and lists every
 * failing field. Ingest and the worker both validate through here, so they agree by construction.
 */
export function parseBody<C extends SyncedCommand>(command: C, body: unknown): EventOf<C> {
  refuseUnstorable(body, 'stores');
  const fast = FAST_PARSES.get(command)?.(body) ?? UNDECIDED;
  if (fast !== UNDECIDED) return fast as EventOf<C>;
  return schemaParse(command, body);
}

/** The plain path, reference of `parseBody` in its property test: the storable rules, then yup alone. */
export function parseWithYup<C extends SyncedCommand>(command: C, body: unknown): EventOf<C> {
  refuseUnstorable(body, 'stores');
  return schemaParse(command, body);
}

function refuseUnstorable(body: unknown, rules: StorableRules): void {
  const reason = unstorableReason(body, rules);
  if (reason !== null) throw new InvalidCallbackError([reason]);
}

/** The schema's own answer: the normalised event, or every failing field. */
function schemaParse<C extends SyncedCommand>(command: C, body: unknown): EventOf<C> {
  try {
    return SYNCED_SCHEMAS[command].validateSync(body, { abortEarly: false }) as EventOf<C>;
  } catch (err) {
    if (err instanceof ValidationError) throw new InvalidCallbackError(err.errors);
    throw err;
  }
}

/**
 * Checks a synced command's body: accepts and refuses exactly what `parseBody` does, and throws the same
 * error. For ingest, which enqueues the body as sent.
 */
export function validateBody(command: SyncedCommand, body: unknown): void {
  parseBody(command, body);
}

/**
 * Checks the body of a callback kept on the unrouted queue (stored as sent, shown in the dashboard): it
 * must nest at most MAX_BODY_DEPTH levels and hold finite numbers only, so that it is stored exactly as
 * it was parsed. Throws InvalidCallbackError naming the field.
 */
export function validateUnroutedBody(body: unknown): void {
  refuseUnstorable(body, 'queue');
}

/** Validates a job's data (the envelope and, through the catalog, its body) into a typed event. */
export function parseSyncJob(data: unknown): SyncEvent {
  const d = data as Partial<SyncJobData> | null;
  const errors: string[] = [];
  if (!d || typeof d !== 'object') throw new InvalidCallbackError(['job data is not an object']);
  if (d.v !== 1) errors.push(`unsupported envelope version ${String(d.v)}`);
  if (!Number.isSafeInteger(d.sdkAppId)) errors.push('sdkAppId must be an integer');
  if (!Number.isSafeInteger(d.receivedAt) || (d.receivedAt as number) < 0) {
    errors.push('receivedAt must be a non-negative integer (ms)');
  }
  for (const field of ['clientIp', 'optPlatform'] as const) {
    if (d[field] !== undefined && d[field] !== null && typeof d[field] !== 'string')
      errors.push(`${field} must be a string or null`);
  }
  if (typeof d.eventKey !== 'string' || !/^[0-9a-f]{64}$/.test(d.eventKey))
    errors.push('eventKey must be sha256 hex');
  const command = d.command;
  if (typeof command !== 'string' || !(command in SYNCED_SCHEMAS))
    errors.push(`not a synced command: ${String(command)}`);
  if (errors.length) throw new InvalidCallbackError(errors);
  const c = command as SyncedCommand;
  const event = parseBody(c, d.body);
  const eventTime = (event as { EventTime?: number }).EventTime ?? d.receivedAt!;
  return {
    command: c,
    sdkAppId: d.sdkAppId!,
    clientIp: d.clientIp ?? null,
    optPlatform: d.optPlatform ?? null,
    receivedAt: d.receivedAt!,
    eventKey: d.eventKey!,
    eventTime,
    version: eventVersion(eventTime, d.eventKey!),
    event,
  };
}

/**
 * Checks a batch job's envelope and returns its callbacks' data, each still to be parsed with
 * `parseSyncJob` (a batch's callbacks succeed or fail one by one).
 */
export function parseSyncBatch(data: unknown): readonly unknown[] {
  const d = data as Partial<SyncBatchJobData> | null;
  if (!d || typeof d !== 'object') throw new InvalidCallbackError(['batch data is not an object']);
  const errors: string[] = [];
  if (d.v !== 1) errors.push(`unsupported envelope version ${String(d.v)}`);
  if (!Array.isArray(d.events) || d.events.length === 0) errors.push('events must be a non-empty array');
  if (errors.length) throw new InvalidCallbackError(errors);
  return d.events as readonly unknown[];
}
