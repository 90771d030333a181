import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect } from 'chai';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import {
  BATCH_DUPLICATES_FIELD,
  batchJobOptions,
  SYNC_BATCH_JOB,
  SYNC_QUEUE,
  type SyncBatchJobData,
} from '@imsync/callbacks';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '@imsync/testing';
import { addJobWithMarks, duplicateMarkKey, jobHashKey } from '../../src/queue/bullmq-batch.js';

/*
 * What src/queue/bullmq-batch.ts relies on in BullMQ, checked through BullMQ's public API: a BullMQ upgrade
 * that changes any of it fails here.
 */

const WINDOW = 60_000;
const OPTIONS = batchJobOptions(64);

/** A batch of `n` distinct callbacks (only their event keys matter to the queue). */
function batchOf(n: number): { data: SyncBatchJobData; eventKeys: string[] } {
  const eventKeys = Array.from({ length: n }, () => randomUUID().replaceAll('-', '').repeat(2));
  const events = eventKeys.map((eventKey, i) => ({
    v: 1 as const,
    sdkAppId: 888888,
    command: 'State.StateChange',
    clientIp: null,
    optPlatform: null,
    receivedAt: 1_700_000_000_000 + i,
    eventKey,
    body: { CallbackCommand: 'State.StateChange', Info: { To_Account: `user${i}` } },
  }));
  return { data: { v: 1, events }, eventKeys };
}

const marksOf = (eventKeys: readonly string[], windowMs = WINDOW) =>
  eventKeys.map((eventKey) => ({ eventKey, windowMs }));

describe('queue/bullmq-batch: what it relies on in BullMQ', () => {
  let prefix: string;
  let redis: Redis;
  let queue: Queue;
  let workerConnection: Redis | undefined;
  let worker: Worker | undefined;

  beforeEach(async () => {
    prefix = uniquePrefix('ingest-queue');
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
  function work(process: (job: Job) => Promise<unknown>): Worker {
    workerConnection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    worker = new Worker(SYNC_QUEUE, process, { connection: workerConnection, prefix });
    worker.on('error', () => undefined);
    return worker;
  }

  it('runs against the bullmq version every package pins, an exact version', () => {
    const installed = (createRequire(import.meta.url)('bullmq/package.json') as { version: string }).version;
    for (const name of ['ingest', 'sync-worker', 'callbacks', 'bench', 'e2e']) {
      const manifest = JSON.parse(
        readFileSync(new URL(`../../../${name}/package.json`, import.meta.url), 'utf8'),
      ) as Record<string, Record<string, string> | undefined>;
      const pinned = [manifest.dependencies, manifest.devDependencies, manifest.peerDependencies]
        .map((deps) => deps?.bullmq)
        .filter((v) => v !== undefined);
      expect(pinned, name).to.have.length.above(0);
      for (const version of pinned) expect(version, name).to.equal(installed);
    }
    expect(installed).to.match(/^\d+\.\d+\.\d+$/);
  });

  it('keys a job and a deduplication mark as the docs say, where BullMQ itself writes them', async () => {
    expect(jobHashKey(queue, 'a-job')).to.equal(`${prefix}:sync:a-job`);
    expect(duplicateMarkKey(queue, 'an-event')).to.equal(`${prefix}:sync:de:an-event`);
    const job = await queue.add('State.StateChange', { x: 1 }, { jobId: 'j1', deduplication: { id: 'e1' } });
    expect(job.id).to.equal('j1');
    expect(await redis.hget(jobHashKey(queue, 'j1'), 'name')).to.equal('State.StateChange');
    expect(await redis.get(duplicateMarkKey(queue, 'e1'))).to.equal('j1');
  });

  it('adds a job the public API reads back: its name, data and options, counted and listed as waiting', async () => {
    const { data, eventKeys } = batchOf(3);
    const jobId = randomUUID();
    expect(
      await addJobWithMarks(queue, SYNC_BATCH_JOB, data, { ...OPTIONS, jobId }, marksOf(eventKeys)),
    ).to.deep.equal([false, false, false]);
    const job = await queue.getJob(jobId);
    expect(job?.name).to.equal(SYNC_BATCH_JOB);
    expect(job?.data).to.deep.equal(data);
    expect(job?.opts).to.deep.include({
      attempts: OPTIONS.attempts,
      backoff: OPTIONS.backoff,
      removeOnComplete: OPTIONS.removeOnComplete,
      removeOnFail: OPTIONS.removeOnFail,
    });
    expect(await queue.getJobCounts('wait', 'active', 'delayed', 'failed')).to.deep.equal({
      wait: 1,
      active: 0,
      delayed: 0,
      failed: 0,
    });
    expect((await queue.getWaiting()).map((j) => j.id)).to.deep.equal([jobId]);
  });

  it('adds a job a real Worker processes and completes, with its name and data', async () => {
    const { data, eventKeys } = batchOf(2);
    const jobId = randomUUID();
    await addJobWithMarks(queue, SYNC_BATCH_JOB, data, { ...OPTIONS, jobId }, marksOf(eventKeys));
    const seen: Job[] = [];
    const completed = new Promise((resolve) =>
      work(async (job) => {
        seen.push(job);
        return { events: (job.data as SyncBatchJobData).events.length };
      }).once('completed', resolve),
    );
    await completed;
    expect(seen.map((j) => [j.id, j.name])).to.deep.equal([[jobId, SYNC_BATCH_JOB]]);
    expect(seen[0]!.data).to.deep.equal(data);
    expect(await queue.getJobState(jobId)).to.equal('completed');
    expect((await queue.getJob(jobId))?.returnvalue).to.deep.equal({ events: 2 });
  });

  it('sets the marks BullMQ deduplication honours: a public add of a marked event returns the batch', async () => {
    const { data, eventKeys } = batchOf(2);
    const jobId = randomUUID();
    await addJobWithMarks(queue, SYNC_BATCH_JOB, data, { ...OPTIONS, jobId }, marksOf(eventKeys));
    expect(await queue.getDeduplicationJobId(eventKeys[0]!)).to.equal(jobId);
    expect(await redis.pttl(duplicateMarkKey(queue, eventKeys[0]!))).to.be.within(WINDOW - 5000, WINDOW);
    const repeat = await queue.add('State.StateChange', data.events[0], {
      jobId: randomUUID(),
      deduplication: { id: eventKeys[0]!, ttl: WINDOW },
    });
    expect(repeat.id).to.equal(jobId); // an add reports a duplicate by the id of the job holding the mark
    expect(await queue.count()).to.equal(1);
  });

  it('finds the marks BullMQ deduplication set: such a callback is a duplicate, listed in the job hash', async () => {
    const { data, eventKeys } = batchOf(3);
    const earlier = await queue.add('State.StateChange', data.events[1], {
      jobId: randomUUID(),
      deduplication: { id: eventKeys[1]!, ttl: WINDOW },
    });
    const jobId = randomUUID();
    expect(
      await addJobWithMarks(queue, SYNC_BATCH_JOB, data, { ...OPTIONS, jobId }, marksOf(eventKeys)),
    ).to.deep.equal([false, true, false]);
    expect(await queue.getDeduplicationJobId(eventKeys[1]!)).to.equal(earlier.id);
    expect(await redis.hget(jobHashKey(queue, jobId), BATCH_DUPLICATES_FIELD)).to.equal('1');
  });

  it('keeps a batch mark for its window once the batch is gone: BullMQ still counts a repeat as a duplicate', async () => {
    const { data, eventKeys } = batchOf(2);
    const jobId = randomUUID();
    await addJobWithMarks(queue, SYNC_BATCH_JOB, data, { ...OPTIONS, jobId }, marksOf(eventKeys));
    await queue.remove(jobId);
    expect(await queue.getJob(jobId)).to.equal(undefined);
    const repeat = await queue.add('State.StateChange', data.events[0], {
      jobId: randomUUID(),
      deduplication: { id: eventKeys[0]!, ttl: WINDOW },
    });
    expect(repeat.id).to.equal(jobId);
    expect(await queue.count()).to.equal(0);
  });

  it('sets no mark for a window of 0, and none when BullMQ did not store the job', async () => {
    const { data, eventKeys } = batchOf(2);
    expect(
      await addJobWithMarks(
        queue,
        SYNC_BATCH_JOB,
        data,
        { ...OPTIONS, jobId: randomUUID() },
        marksOf(eventKeys, 0),
      ),
    ).to.deep.equal([false, false]);
    expect(await queue.getDeduplicationJobId(eventKeys[0]!)).to.equal(null);
    // BullMQ's add script fails inside the MULTI (its job counter is no integer): nothing stored or marked
    await redis.set(`${prefix}:${SYNC_QUEUE}:id`, 'not-a-number');
    const jobId = randomUUID();
    expect(
      await addJobWithMarks(queue, SYNC_BATCH_JOB, data, { ...OPTIONS, jobId }, marksOf(eventKeys)),
    ).to.equal(null);
    expect(await queue.getJob(jobId)).to.equal(undefined);
    expect(await queue.getDeduplicationJobId(eventKeys[0]!)).to.equal(null);
  });

  it('leaves the duplicates field in the job hash through processing, a failure and a retry by hand', async () => {
    const { data, eventKeys } = batchOf(2);
    await queue.add('State.StateChange', data.events[0], {
      jobId: randomUUID(),
      deduplication: { id: eventKeys[0]!, ttl: WINDOW },
      delay: WINDOW, // the worker leaves it be
    });
    const jobId = randomUUID();
    const opts = { ...OPTIONS, attempts: 1, jobId };
    expect(await addJobWithMarks(queue, SYNC_BATCH_JOB, data, opts, marksOf(eventKeys))).to.deep.equal([
      true,
      false,
    ]);
    const readWhileHeld: (string | null)[] = [];
    const w = work(async (job) => {
      // what the sync worker does: read the field while it holds the job
      readWhileHeld.push(await redis.hget(jobHashKey(queue, job.id!), BATCH_DUPLICATES_FIELD));
      if (readWhileHeld.length === 1) throw new Error('fails once');
      return 'done';
    });
    await new Promise((resolve) => w.once('failed', resolve));
    expect(await queue.getJobState(jobId)).to.equal('failed');
    await (await queue.getJob(jobId))!.retry('failed');
    await new Promise((resolve) => w.once('completed', resolve));
    expect(readWhileHeld).to.deep.equal(['0', '0']);
    expect(await redis.hget(jobHashKey(queue, jobId), BATCH_DUPLICATES_FIELD)).to.equal('0');
  });
});
