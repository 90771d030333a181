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
    timer = setTimeout(() => reject(new QueueUnavailableError(`${what}: Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Enqueues to BullMQ. Duplicate deliveries are recognised by their event key, remembered in Redis for an
 * explicit window after the job was added (independent of job retention); the mark is written only after
 * Redis accepted the job, so a failed add never hides a later delivery. Concurrent deliveries of one
 * event in this process share one add.
 */
export class BullEnqueuer implements Enqueuer {
  private readonly sync: Queue;
  private readonly unrouted: Queue;
  private readonly inFlight = new Map<string, Promise<EnqueueResult>>();

  constructor(private readonly opts: BullEnqueuerOptions) {
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
    const p = withTimeout(this.addOnce(command, data, dedupeWindowMs), this.opts.timeoutMs, 'enqueue').finally(() =>
      this.inFlight.delete(data.eventKey),
    );
    this.inFlight.set(data.eventKey, p);
    return p;
  }

  private async addOnce(command: SyncedCommand, data: SyncJobData, windowMs: number): Promise<EnqueueResult> {
    const redis = this.opts.connection;
    const key = this.dedupeKey(data.eventKey);
    try {
      if (windowMs > 0 && (await redis.exists(key)) === 1) return { duplicate: true };
      const job = await this.sync.add(command, data, jobOptionsFor(command));
      if (windowMs > 0) await redis.set(key, job.id ?? '1', 'PX', windowMs);
      return { duplicate: false };
    } catch (err) {
      throw new QueueUnavailableError(`enqueue failed: ${(err as Error).message}`, { cause: err });
    }
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
  }
}
