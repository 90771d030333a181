import type { QueueBase } from 'bullmq';
import type { Redis } from 'ioredis';
import { BATCH_DUPLICATES_FIELD } from '@imsync/callbacks';

/*
 * The one place the worker reaches past BullMQ's public API. It relies on:
 * - BullMQ's key layout: a job's hash is the key `queue.toKey(jobId)` names (`toKey` is public);
 * - BullMQ leaving a field of ours (BATCH_DUPLICATES_FIELD, which ingest writes with the job) in that hash
 *   alone for the job's life: while it waits, runs, fails and is retried.
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
