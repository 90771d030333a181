import { randomUUID } from 'node:crypto';
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { coalesceWrites, type WriteCoalescer } from '@imsync/service-kit';
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

type QueueName = typeof SYNC_QUEUE | typeof UNROUTED_QUEUE;

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
  /** The sync and unrouted queues, by name (a queue may be replaced, see replaceBrokenQueues). */
  private readonly queues: Record<QueueName, Queue>;
  private readonly inFlight = new Map<string, Promise<EnqueueResult>>();
  private readonly onReady = () => void this.replaceBrokenQueues();
  /** The adds of one event-loop turn leave in one socket write. */
  private readonly writes: WriteCoalescer;

  constructor(private readonly opts: BullEnqueuerOptions) {
    this.queues = {
      [SYNC_QUEUE]: this.openQueue(SYNC_QUEUE),
      [UNROUTED_QUEUE]: this.openQueue(UNROUTED_QUEUE),
    };
    opts.connection.on('ready', this.onReady);
    this.writes = coalesceWrites(opts.connection);
  }

  private openQueue(name: QueueName): Queue {
    const queue = new Queue(name, { connection: this.opts.connection, prefix: this.opts.prefix });
    // Errors surface through the calls that failed; keep the emitter from crashing the process.
    queue.on('error', () => undefined);
    return queue;
  }

  /**
   * A BullMQ Queue initialises once (it reads the server's version); when the connection drops during
   * that, every later call on it fails with the same error, even after Redis is back (bullmq #930). So
   * each time the connection is ready again, a queue whose initialisation failed is replaced.
   */
  private async replaceBrokenQueues(): Promise<void> {
    for (const name of [SYNC_QUEUE, UNROUTED_QUEUE] as const) {
      const queue = this.queues[name];
      const failed = await queue.waitUntilReady().then(
        () => false,
        () => true,
      );
      if (!failed || this.queues[name] !== queue) continue;
      this.queues[name] = this.openQueue(name);
      void queue.close().catch(() => undefined);
    }
  }

  enqueueSync(command: SyncedCommand, data: SyncJobData, dedupeWindowMs: number): Promise<EnqueueResult> {
    const pending = this.inFlight.get(data.eventKey);
    if (pending) return pending.then(() => ({ duplicate: true }));
    const jobId = randomUUID();
    const options: JobsOptions =
      dedupeWindowMs > 0
        ? { ...jobOptionsFor(command), jobId, deduplication: { id: data.eventKey, ttl: dedupeWindowMs } }
        : { ...jobOptionsFor(command), jobId };
    this.writes.hold();
    const p = withTimeout(this.queues[SYNC_QUEUE].add(command, data, options), this.opts.timeoutMs, 'enqueue')
      .then((job) => ({ duplicate: job.id !== jobId }))
      .finally(() => this.inFlight.delete(data.eventKey));
    this.inFlight.set(data.eventKey, p);
    return p;
  }

  async enqueueUnrouted(command: string, data: UnroutedJobData): Promise<void> {
    this.writes.hold();
    await withTimeout(
      this.queues[UNROUTED_QUEUE].add(command, data, unroutedJobOptionsFor(command)),
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
    this.opts.connection.off('ready', this.onReady);
    await Promise.allSettled(Object.values(this.queues).map((q) => q.close()));
  }
}
