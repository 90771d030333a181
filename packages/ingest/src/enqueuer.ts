import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  jobOptionsFor,
  SYNC_QUEUE,
  UNROUTED_QUEUE,
  unroutedJobOptionsFor,
  type SyncedCommand,
  type SyncJobData,
  type UnroutedJobData,
} from '@imsync/callbacks';

/** Redis did not accept the job in time, or refused it: the request must not be answered OK. */
export class QueueUnavailableError extends Error {
  override name = 'QueueUnavailableError';
}

export interface EnqueueResult {
  readonly duplicate: boolean;
}

/** The port ingest enqueues through. */
export interface Enqueuer {
  /** Adds a synced job unless the same delivery was enqueued within `dedupeWindowMs`. */
  enqueueSync(command: SyncedCommand, data: SyncJobData, dedupeWindowMs: number): Promise<EnqueueResult>;
  enqueueUnrouted(command: string, data: UnroutedJobData): Promise<void>;
  /** Redis answers. */
  isReady(): Promise<boolean>;
  close(): Promise<void>;
}

export interface BullEnqueuerOptions {
  readonly connection: Redis;
  readonly prefix: string;
  readonly timeoutMs: number;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new QueueUnavailableError(`${what}: Redis did not answer within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface PendingAdd {
  readonly command: SyncedCommand;
  readonly data: SyncJobData;
  readonly windowMs: number;
  readonly resolve: (r: EnqueueResult) => void;
  readonly reject: (err: Error) => void;
}

/** Adds gathered in one turn of the event loop go to Redis together, up to this many. */
const MAX_BATCH = 256;

/**
 * Enqueues to BullMQ. Duplicate deliveries are recognised by their event key, remembered in Redis for an
 * explicit window after the job was added (independent of job retention); the mark is written only after
 * Redis accepted the job, so a failed add never hides a later delivery. Concurrent deliveries of one
 * event in this process share one add.
 *
 * Requests that arrive together are enqueued together: one MGET for their duplicate marks, one
 * `addBulk` (a single MULTI) for their jobs, one pipeline for the new marks — three round trips per
 * batch instead of three per request. Each request still gets its own answer and its own timeout.
 */
export class BullEnqueuer implements Enqueuer {
  private readonly sync: Queue;
  private readonly unrouted: Queue;
  private readonly inFlight = new Map<string, Promise<EnqueueResult>>();
  private batch: PendingAdd[] = [];
  private flushScheduled = false;
  private batchTimer: NodeJS.Timeout | undefined;
  /**
   * A connection of its own for the duplicate marks (MGET, SET): BullMQ defines its ~50 scripts on the
   * queue connection, and ioredis copies them all into every pipeline made on it, which cost more than
   * the marks themselves. Until it is ready the queue connection is used.
   */
  private readonly marks: Redis;

  constructor(private readonly opts: BullEnqueuerOptions) {
    this.marks = opts.connection.duplicate();
    this.marks.on('error', () => undefined); // the queue connection reports Redis errors
    this.sync = new Queue(SYNC_QUEUE, { connection: opts.connection, prefix: opts.prefix });
    this.unrouted = new Queue(UNROUTED_QUEUE, { connection: opts.connection, prefix: opts.prefix });
    // Errors surface through the calls that failed; keep the emitters from crashing the process.
    this.sync.on('error', () => undefined);
    this.unrouted.on('error', () => undefined);
  }

  private dedupeKey(eventKey: string): string {
    return `${this.opts.prefix}:${SYNC_QUEUE}:dedupe:${eventKey}`;
  }

  enqueueSync(command: SyncedCommand, data: SyncJobData, dedupeWindowMs: number): Promise<EnqueueResult> {
    const pending = this.inFlight.get(data.eventKey);
    if (pending) return pending.then(() => ({ duplicate: true }));
    const p = new Promise<EnqueueResult>((resolve, reject) => {
      if (this.batch.length === 0) {
        this.batchTimer = setTimeout(
          (items: PendingAdd[]) => {
            const err = new QueueUnavailableError(
              `enqueue: Redis did not answer within ${this.opts.timeoutMs} ms`,
            );
            for (const b of items) b.reject(err);
          },
          this.opts.timeoutMs,
          this.batch,
        );
      }
      this.batch.push({ command, data, windowMs: dedupeWindowMs, resolve, reject });
      if (this.batch.length >= MAX_BATCH) void this.flush();
      else if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => void this.flush());
      }
    }).finally(() => this.inFlight.delete(data.eventKey));
    this.inFlight.set(data.eventKey, p);
    return p;
  }

  /**
   * Sends one batch. Its requests share one deadline, set when the batch opened: past it they are
   * answered 503 even if Redis accepts the jobs later (a redelivery is then caught as a duplicate).
   */
  private async flush(): Promise<void> {
    const batch = this.batch;
    const timer = this.batchTimer;
    this.batch = [];
    this.flushScheduled = false;
    if (batch.length === 0) return;
    try {
      await this.send(batch);
    } finally {
      clearTimeout(timer);
    }
  }

  private async send(batch: PendingAdd[]): Promise<void> {
    const redis = this.marks.status === 'ready' ? this.marks : this.opts.connection;
    let fresh: PendingAdd[];
    try {
      const windowed = batch.filter((b) => b.windowMs > 0);
      const seen = windowed.length
        ? await redis.mget(windowed.map((b) => this.dedupeKey(b.data.eventKey)))
        : [];
      const duplicates = new Set(windowed.filter((_, i) => seen[i] !== null));
      for (const b of duplicates) b.resolve({ duplicate: true });
      fresh = batch.filter((b) => !duplicates.has(b));
      if (fresh.length === 0) return;
      const jobs = await this.sync.addBulk(
        fresh.map((b) => ({ name: b.command, data: b.data, opts: jobOptionsFor(b.command) })),
      );
      const marks = redis.pipeline();
      fresh.forEach((b, i) => {
        if (b.windowMs > 0) marks.set(this.dedupeKey(b.data.eventKey), jobs[i]?.id ?? '1', 'PX', b.windowMs);
      });
      // The jobs are in Redis: a mark that fails to be written only lets a later duplicate through.
      await marks.exec().catch(() => undefined);
    } catch (err) {
      const failure = new QueueUnavailableError(`enqueue failed: ${(err as Error).message}`, { cause: err });
      for (const b of batch) b.reject(failure);
      return;
    }
    for (const b of fresh) b.resolve({ duplicate: false });
  }

  async enqueueUnrouted(command: string, data: UnroutedJobData): Promise<void> {
    const add = this.unrouted.add(command, data, unroutedJobOptionsFor(command)).catch((err: Error) => {
      throw new QueueUnavailableError(`enqueue failed: ${err.message}`, { cause: err });
    });
    await withTimeout(add, this.opts.timeoutMs, 'enqueue');
  }

  async isReady(): Promise<boolean> {
    try {
      return (await withTimeout(this.opts.connection.ping(), this.opts.timeoutMs, 'ping')) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.sync.close(), this.unrouted.close()]);
    await this.marks.quit().catch(() => this.marks.disconnect());
  }
}
