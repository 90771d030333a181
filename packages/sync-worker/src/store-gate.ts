import { EventEmitter } from 'node:events';
import { WaitingError, type Job, type Worker } from 'bullmq';
import type { Logger } from 'pino';
import { waitAtMost } from '@imsync/service-kit';
import type { WorkerMetrics } from './metrics.js';

/**
 * SQLSTATEs that say PostgreSQL itself is away, not that the job is wrong: connection exceptions (08),
 * the server shutting down or starting (57P01 admin_shutdown, 57P02 crash_shutdown, 57P03
 * cannot_connect_now) and too many connections (53300).
 */
const UNAVAILABLE_SQLSTATE = /^(08|57P0[123]$|53300$)/;

/** Socket errors of a connection that failed or was cut (no SQLSTATE: PostgreSQL never answered). */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
]);

/** pg's own messages for a connection it lost or could not open in time (they carry no code). */
const PG_CONNECTION_MESSAGES =
  /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Client was closed and is not queryable)/;

/**
 * True when an error says PostgreSQL could not be reached or dropped the connection: a fault of the store,
 * not of the job, that no attempt should be counted for. Looks through `cause` and AggregateError (a
 * connect to a name with several addresses fails with one).
 */
export function isStoreUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && (SOCKET_CODES.has(e.code) || UNAVAILABLE_SQLSTATE.test(e.code)))
    return true;
  if (typeof e.message === 'string' && PG_CONNECTION_MESSAGES.test(e.message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => isStoreUnavailable(x, depth + 1))) return true;
  return isStoreUnavailable(e.cause, depth + 1);
}

/** A job was handed back because the store is away (no attempt counted). */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

export interface StoreGateOptions {
  /** Answers when PostgreSQL answers (e.g. `SELECT 1`); rejects otherwise. */
  readonly probe: () => Promise<unknown>;
  /** Time between probes while the store is away. */
  readonly intervalMs: number;
  /** A probe that has not answered after this long has failed. */
  readonly probeTimeoutMs: number;
}

/**
 * Whether PostgreSQL is reachable, as the worker last found it. `lost(err)` closes the gate (once), which
 * emits `down`; from then on `probe` runs every `intervalMs` until it answers, which opens the gate and
 * emits `up`. The gate never decides about a job: the worker stops taking jobs on `down` and takes them
 * again on `up`.
 */
export class StoreGate extends EventEmitter<{ down: [reason: string]; up: [downMs: number] }> {
  private since: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly opts: StoreGateOptions) {
    super();
  }

  get available(): boolean {
    return this.since === undefined;
  }

  /** The store was found away (a job's error said so). */
  lost(err: unknown): void {
    if (this.closed || this.since !== undefined) return;
    this.since = Date.now();
    this.emit('down', err instanceof Error ? err.message : String(err));
    this.schedule();
  }

  /** Stops probing (the worker is closing). */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => void this.check(), this.opts.intervalMs);
  }

  private async check(): Promise<void> {
    const probed = this.opts.probe().then(
      () => true,
      () => false,
    );
    const answered = (await waitAtMost(probed, this.opts.probeTimeoutMs)) === true;
    if (this.closed) return;
    if (!answered) return this.schedule();
    const downMs = Date.now() - this.since!;
    this.since = undefined;
    this.emit('up', downMs);
  }
}

/**
 * Puts a job back on the wait list, its lock released and no attempt counted; WaitingError tells BullMQ
 * that the job has been moved. Should Redis refuse the move too, the job's lock lapses and the stalled
 * check puts it back.
 */
export async function handBack(job: Job, token: string | undefined): Promise<never> {
  await job.moveToWait(token).catch(() => undefined);
  throw new WaitingError();
}

/** The worker takes no job while the gate is closed, and takes them again once it opens. */
export function pauseWhileStoreAway(
  worker: Pick<Worker, 'pause' | 'resume' | 'on'>,
  gate: StoreGate,
  logger: Logger,
  metrics: WorkerMetrics,
): void {
  gate.on('down', (reason) => {
    logger.warn({ err: reason }, 'PostgreSQL unreachable: taking no jobs until it answers');
    metrics.storeAvailable.set(0);
    void worker.pause(true);
  });
  gate.on('up', (downMs) => {
    logger.info({ downMs }, 'PostgreSQL answers again: taking jobs');
    metrics.storeAvailable.set(1);
    void worker.resume();
  });
  metrics.storeAvailable.set(1);
  worker.on('closed', () => gate.close());
}
