import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect } from 'chai';
import { Job, Queue, WaitingError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { BATCH_DUPLICATES_FIELD, SYNC_BATCH_JOB, SYNC_QUEUE } from '@imsync/callbacks';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '@imsync/testing';
import { afterNextJobChosen, batchDuplicates } from '../../src/queue/bullmq-jobs.js';

/*
 * What src/queue/bullmq-jobs.ts relies on in BullMQ, checked through BullMQ's public API against real Redis:
 * a BullMQ upgrade that changes any of it fails here.
 */

describe('queue/bullmq-jobs: what the worker relies on in BullMQ', () => {
  let prefix: string;
  let redis: Redis;
  let queue: Queue;
  let workerConnection: Redis | undefined;
  let worker: Worker | undefined;

  beforeEach(async () => {
    prefix = uniquePrefix('worker-queue');
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    queue = new Queue(SYNC_QUEUE, { connection: redis, prefix });
    await queue.waitUntilReady();
  });
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
    workerConnection?.disconnect();
    workerConnection = undefined;
    await queue.close();
    redis.disconnect();
    await deletePrefix(prefix);
  });

  /** A real BullMQ worker on the queue, running `process` for each job. */
  function work(process: (job: Job, token?: string) => Promise<unknown>): Worker {
    workerConnection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    worker = new Worker(SYNC_QUEUE, process, { connection: workerConnection, prefix });
    worker.on('error', () => undefined);
    return worker;
  }

  /** A batch job, with its duplicates listed as ingest lists them (in the job's hash, before any worker). */
  async function batchWithDuplicates(listed: string, attempts = 1): Promise<string> {
    await queue.pause();
    const job = await queue.add(SYNC_BATCH_JOB, { v: 1, events: [] }, { attempts, backoff: 10 });
    await redis.hset(queue.toKey(job.id!), BATCH_DUPLICATES_FIELD, listed);
    await queue.resume();
    return job.id!;
  }

  it('runs against an exact bullmq version, the one the worker pins', () => {
    const installed = (createRequire(import.meta.url)('bullmq/package.json') as { version: string }).version;
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(installed).to.match(/^\d+\.\d+\.\d+$/);
    expect(manifest.dependencies.bullmq).to.equal(installed);
  });

  it('names with toKey the hash BullMQ keeps a job in, for a queue and a worker alike', async () => {
    const job = await queue.add('State.StateChange', { x: 1 }, { jobId: 'j1' });
    expect(queue.toKey(job.id!)).to.equal(`${prefix}:${SYNC_QUEUE}:j1`);
    expect(await redis.hget(queue.toKey('j1'), 'name')).to.equal('State.StateChange');
    expect(JSON.parse((await redis.hget(queue.toKey('j1'), 'data'))!)).to.deep.equal({ x: 1 });
    const w = work(async () => undefined);
    expect(w.toKey('j1')).to.equal(queue.toKey('j1'));
  });

  it('reads the listed duplicates, and none when the field or the job is absent', async () => {
    const id = await batchWithDuplicates('0,2,5');
    expect(await batchDuplicates(redis, queue, id)).to.deep.equal(new Set([0, 2, 5]));
    const plain = await queue.add(SYNC_BATCH_JOB, { v: 1, events: [] });
    expect(await batchDuplicates(redis, queue, plain.id!)).to.deep.equal(new Set());
    expect(await batchDuplicates(redis, queue, 'no-such-job')).to.deep.equal(new Set());
  });

  it('keeps the field while a worker holds the job, after a failure, a retry by hand and completion', async () => {
    const id = await batchWithDuplicates('1');
    const readWhileHeld: Set<number>[] = [];
    const w = work(async (job) => {
      readWhileHeld.push(await batchDuplicates(redis, queue, job.id!));
      if (readWhileHeld.length === 1) throw new Error('fails once');
      return 'done';
    });
    await new Promise((resolve) => w.once('failed', resolve));
    expect(await queue.getJobState(id)).to.equal('failed');
    expect(await batchDuplicates(redis, queue, id)).to.deep.equal(new Set([1]));
    // what the worker does to a batch retried by hand: a retry with its attempts reset
    await (await queue.getJob(id))!.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    await new Promise((resolve) => w.once('completed', resolve));
    expect(readWhileHeld).to.deep.equal([new Set([1]), new Set([1])]);
    expect(await queue.getJobState(id)).to.equal('completed');
    expect(await batchDuplicates(redis, queue, id)).to.deep.equal(new Set([1]));
  });

  it('keeps the field through a retry with backoff and a hand-back to the wait list (moveToWait)', async () => {
    const id = await batchWithDuplicates('3', 2);
    const readWhileHeld: Set<number>[] = [];
    const w = work(async (job, token) => {
      readWhileHeld.push(await batchDuplicates(redis, queue, job.id!));
      if (readWhileHeld.length === 1) throw new Error('retried after its backoff');
      if (readWhileHeld.length === 2) {
        // what the worker does while PostgreSQL is away: the job goes back, no attempt counted
        await job.moveToWait(token);
        throw new WaitingError();
      }
      return 'done';
    });
    await new Promise((resolve) => w.once('completed', resolve));
    expect(readWhileHeld).to.deep.equal([new Set([3]), new Set([3]), new Set([3])]);
    const job = (await queue.getJob(id))!;
    expect(job.attemptsMade, 'the failure and the completion; the hand-back counts none').to.equal(2);
    expect(await batchDuplicates(redis, queue, id)).to.deep.equal(new Set([3]));
  });

  it('chooses whether moving a finished job on fetches the next one before afterNextJobChosen runs', async () => {
    // a spy on the public Job.moveToCompleted: its third argument is the worker's choice
    const moveToCompleted = Job.prototype.moveToCompleted;
    const fetchedNext = new Map<string, boolean>();
    Job.prototype.moveToCompleted = function (this: Job, ...args: Parameters<Job['moveToCompleted']>) {
      fetchedNext.set(this.name, args[2] ?? true);
      return moveToCompleted.apply(this, args);
    };
    try {
      /**
       * Two jobs held at once; each lowers the job limit to 1 as it ends, through `lower`; true when the
       * worker fetched the next job as it moved the first of the two on.
       */
      const firstFetchedNext = async (round: string, lower: (apply: () => void) => void) => {
        await queue.pause();
        await queue.addBulk(['a', 'b', 'c'].map((n) => ({ name: `${round}-${n}`, data: {} })));
        let arrived = 0;
        let bothHeld!: () => void;
        const held = new Promise<void>((resolve) => (bothHeld = resolve));
        const w = work(async (job) => {
          if (job.name.endsWith('c')) return;
          if (++arrived === 2) bothHeld();
          await held;
          lower(() => (w.concurrency = 1));
        });
        w.concurrency = 2;
        await queue.resume();
        await new Promise<void>((resolve) => w.on('completed', (job) => job.name.endsWith('c') && resolve()));
        await w.close();
        worker = undefined;
        workerConnection?.disconnect();
        return [`${round}-a`, `${round}-b`].some((n) => fetchedNext.get(n) === true);
      };
      expect(await firstFetchedNext('deferred', afterNextJobChosen)).to.equal(true);
      // the control: the same limit lowered as the processor ends refuses the slot
      expect(await firstFetchedNext('at-once', (apply) => apply())).to.equal(false);
    } finally {
      Job.prototype.moveToCompleted = moveToCompleted;
    }
  });
});
