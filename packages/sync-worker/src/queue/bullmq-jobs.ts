import type { QueueBase } from 'bullmq';
import type { Redis } from 'ioredis';
import { BATCH_DUPLICATES_FIELD } from '@imsync/callbacks';

/*
 * The one place the worker reaches past BullMQ's public API. It relies on:
 * - BullMQ's key layout: a job's hash is the key `queue.toKey(jobId)` names (`toKey` is public);
 * - BullMQ leaving a field of ours (BATCH_DUPLICATES_FIELD, which ingest writes with the job) in that hash
 *   alone for the job's life: while it waits, runs, fails and is retried;
 * - the moment a worker chooses whether moving a finished job on also fetches the next one (see
 *   afterNextJobChosen).
 * bullmq is pinned to an exact version for this; test/queue/bullmq-jobs.test.ts fails when an upgrade
 * changes any of it.
 */

/**
 * The indexes of a batch's callbacks that ingest found to be duplicates when it added the batch: listed,
 * comma-separated, in the job's hash. Empty when none is listed (or the job is gone). `redis` is a connection
 * to the queue's Redis.
 */
export async function batchDuplicates(
  redis: Redis,
  queue: Pick<QueueBase, 'toKey'>,
  jobId: string,
): Promise<Set<number>> {
  const listed = await redis.hget(queue.toKey(jobId), BATCH_DUPLICATES_FIELD);
  return new Set(listed ? listed.split(',').map(Number) : []);
}

/**
 * Calls `release` once BullMQ, moving on a job whose processor has just settled, has chosen whether the same
 * Redis call also fetches the next job. It fetches while the jobs the worker holds (this one included) are
 * not more than `worker.concurrency`, and reads both in the turn of the event loop in which the processor
 * settles (Worker.processJob, then handleCompleted or handleFailed). A job limit lowered for this job
 * before then would refuse its slot to the next job, and the worker would fetch that job with a call of its
 * own later.
 */
export function afterNextJobChosen(release: () => void): void {
  setImmediate(release);
}
