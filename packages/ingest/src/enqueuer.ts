import { randomUUID } from 'node:crypto';
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { coalesceWrites, type WriteCoalescer } from '@imsync/service-kit';
import {
  DEFAULT_BATCH_MAX,
  batchJobOptions,
  jobOptionsFor,
  SYNC_BATCH_JOB,
  SYNC_QUEUE,
  UNROUTED_QUEUE,
  unroutedJobOptionsFor,
  type SyncBatchJobData,
  type SyncedCommand,
  type SyncJobData,
  type UnroutedJobData,
} from '@imsync/callbacks';
import { addJobWithMarks } from './queue/bullmq-batch.js';

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
  /** At most this many callbacks of one turn share a job (1: a job per callback). Default 64. */
  readonly maxBatch?: number;
}

/**
 * `work`, or a QueueUnavailableError once `ms` have passed without an answer. Redis may still take the job
 * later: a redelivery then finds it (its mark).
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

interface PendingSync {
  readonly command: SyncedCommand;
  readonly data: SyncJobData;
  readonly window: number;
  readonly resolve: (r: EnqueueResult) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Enqueues to BullMQ. The synced callbacks accepted in one event-loop turn are enqueued together when the
 * turn ends (`setImmediate`):
 * - a turn with one callback gives one job named after its command, added with BullMQ's own deduplication
 *   (`deduplication: { id: eventKey, ttl }`): the add script sets the mark `<prefix>:sync:de:<event key>`
 *   for the window, atomically with the job and only when it adds it, so across any number of ingest
 *   replicas a repeat within the window is dropped, and the mark outlives the job's retention. Each job
 *   gets a random id of its own: an add that returns another job's id was a duplicate.
 * - a turn with several gives one `batch` job per `maxBatch` callbacks, added with their marks in one
 *   transaction (`addJobWithMarks`). A callback whose mark was already held is a duplicate: it stays in the
 *   batch, listed as such in the job, and the worker skips it. One add per turn costs Redis and ingest a
 *   fraction of one add per callback. A batch Redis did not store is retried as one add per callback.
 * Concurrent deliveries of one event in this process share one job.
 */
export class BullEnqueuer implements Enqueuer {
  /** The sync and unrouted queues, by name (a queue may be replaced, see replaceBrokenQueues). */
  private readonly queues: Record<QueueName, Queue>;
  private readonly inFlight = new Map<string, Promise<EnqueueResult>>();
  private readonly onReady = () => void this.replaceBrokenQueues();
  /** The unrouted adds of one event-loop turn leave in one socket write. */
  private readonly writes: WriteCoalescer;
  /** The synced callbacks of this turn, enqueued when it ends. */
  private turn: PendingSync[] = [];
  private readonly maxBatch: number;
  private readonly batchOptions: Readonly<JobsOptions>;

  constructor(private readonly opts: BullEnqueuerOptions) {
    this.queues = {
      [SYNC_QUEUE]: this.openQueue(SYNC_QUEUE),
      [UNROUTED_QUEUE]: this.openQueue(UNROUTED_QUEUE),
    };
    opts.connection.on('ready', this.onReady);
    this.writes = coalesceWrites(opts.connection);
    this.maxBatch = opts.maxBatch ?? DEFAULT_BATCH_MAX;
    if (!(this.maxBatch >= 1)) throw new RangeError(`maxBatch must be at least 1, got ${this.maxBatch}`);
    this.batchOptions = batchJobOptions(this.maxBatch);
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
    const p = new Promise<EnqueueResult>((resolve, reject) => {
      if (this.turn.push({ command, data, window: dedupeWindowMs, resolve, reject }) === 1) {
        setImmediate(this.flush);
      }
    }).finally(() => this.inFlight.delete(data.eventKey));
    this.inFlight.set(data.eventKey, p);
    return p;
  }

  private readonly flush = (): void => {
    const turn = this.turn;
    // no write coalescing here: each MULTI leaves in one write anyway, and a cork taken inside an immediate
    // would only be released at the next loop iteration's, holding every add of the turn back until then
    this.turn = [];
    for (let i = 0; i < turn.length; i += this.maxBatch) {
      const chunk = turn.slice(i, i + this.maxBatch);
      if (chunk.length === 1) {
        this.settle(chunk[0]!, this.addOne(chunk[0]!));
        continue;
      }
      // a batch Redis did not store (refused, or the connection failed): each callback is added alone, and
      // its mark decides (a batch that was stored after all makes them duplicates of it)
      const batch = this.addBatch(chunk).catch(() => null);
      chunk.forEach((p, j) =>
        this.settle(
          p,
          batch.then((d) => (d ? d[j]! : this.addOne(p))),
        ),
      );
    }
  };

  /** Answers a callback once its outcome is known, or refuses it once the enqueue timeout has passed. */
  private settle(p: PendingSync, duplicate: Promise<boolean>): void {
    withTimeout(duplicate, this.opts.timeoutMs, 'enqueue').then(
      (d) => p.resolve({ duplicate: d }),
      (err: unknown) => p.reject(err),
    );
  }

  /** One job named after its command; BullMQ's add script keeps the mark. Says whether it was a duplicate. */
  private async addOne(p: PendingSync): Promise<boolean> {
    const jobId = randomUUID();
    const options: JobsOptions =
      p.window > 0
        ? { ...jobOptionsFor(p.command), jobId, deduplication: { id: p.data.eventKey, ttl: p.window } }
        : { ...jobOptionsFor(p.command), jobId };
    const job = await this.queues[SYNC_QUEUE].add(p.command, p.data, options);
    return job.id !== jobId;
  }

  /** One batch job and its callbacks' marks. Says which callbacks were duplicates, or null if not stored. */
  private addBatch(chunk: readonly PendingSync[]): Promise<boolean[] | null> {
    const data: SyncBatchJobData = { v: 1, events: chunk.map((p) => p.data) };
    return addJobWithMarks(
      this.queues[SYNC_QUEUE],
      SYNC_BATCH_JOB,
      data,
      { ...this.batchOptions, jobId: randomUUID() },
      chunk.map((p) => ({ eventKey: p.data.eventKey, windowMs: p.window })),
    );
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
