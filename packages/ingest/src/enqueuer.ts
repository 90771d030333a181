import { randomUUID } from 'node:crypto';
import { Queue, type JobsOptions } from 'bullmq';
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

/**
 * `work`, or a QueueUnavailableError once `ms` have passed without an answer. One timer per call (a
 * fraction of a microsecond): Redis may still take the job later, which a redelivery then finds.
 */
function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new QueueUnavailableError(`${what}: Redis did not answer within ${ms} ms`)),
      ms,
    );
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: Error) => {
        clearTimeout(timer);
        reject(
          err instanceof QueueUnavailableError
            ? err
            : new QueueUnavailableError(`${what} failed: ${err.message}`, { cause: err }),
        );
      },
    );
  });
}

/**
 * Enqueues to BullMQ, one `add` per job. A delivery is recognised by its event key through BullMQ's own
 * deduplication (`deduplication: { id, ttl }`): the add script sets the key `<prefix>:sync:de:<event
 * key>` for the window, atomically with the job and only when it adds it, so across any number of ingest
 * replicas a repeat within the window is dropped, and the mark outlives the job's retention. Each job gets
 * a random id of its own: an add that returns another job's id was a duplicate. Concurrent deliveries of
 * one event in this process share one add.
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

  enqueueSync(command: SyncedCommand, data: SyncJobData, dedupeWindowMs: number): Promise<EnqueueResult> {
    const pending = this.inFlight.get(data.eventKey);
    if (pending) return pending.then(() => ({ duplicate: true }));
    const jobId = randomUUID();
    const options: JobsOptions =
      dedupeWindowMs > 0
        ? { ...jobOptionsFor(command), jobId, deduplication: { id: data.eventKey, ttl: dedupeWindowMs } }
        : { ...jobOptionsFor(command), jobId };
    const p = withTimeout(this.sync.add(command, data, options), this.opts.timeoutMs, 'enqueue')
      .then((job) => ({ duplicate: job.id !== jobId }))
      .finally(() => this.inFlight.delete(data.eventKey));
    this.inFlight.set(data.eventKey, p);
    return p;
  }

  async enqueueUnrouted(command: string, data: UnroutedJobData): Promise<void> {
    await withTimeout(
      this.unrouted.add(command, data, unroutedJobOptionsFor(command)),
      this.opts.timeoutMs,
      'enqueue',
    );
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
