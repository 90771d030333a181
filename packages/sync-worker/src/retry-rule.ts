import { UnrecoverableError, type Job } from 'bullmq';
import { InvalidCallbackError } from '@imsync/callbacks';

/*
 * When a failure is final. The error decides for a job of one callback: a permanent one (see isPermanent)
 * fails it at once as UnrecoverableError, any other is retried with the catalog's backoff until its last
 * attempt. A batch is retried while a retry can help; then its failed callbacks go on as jobs of their own
 * (see batch.ts).
 */

/**
 * PostgreSQL errors that a retry cannot fix: bad data (22), a constraint (23), a value over a limit of
 * PostgreSQL (54, e.g. a key too long for its index), a value of the wrong type for its column (42804).
 * Other errors, including a missing table or privilege after a bad deploy (42P01, 42501), are retried.
 */
const PERMANENT_SQLSTATE = /^(22|23|54|42804)/;

/** True when retrying cannot help: the job or its data is wrong, not the moment. */
export function isPermanent(err: unknown): boolean {
  if (err instanceof InvalidCallbackError || err instanceof UnrecoverableError) return true;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && PERMANENT_SQLSTATE.test(code);
}

type Attempts = Pick<Job, 'attemptsMade' | 'opts'>;

/** True while a job runs its last attempt (`attemptsMade` counts the attempts finished before this one). */
export function isLastAttempt(job: Attempts): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/**
 * True when a batch whose callbacks failed with `errors` should not be retried: every failure is permanent,
 * or this is its last attempt. Its failed callbacks then go on as jobs of their own.
 */
export function batchRetryCannotHelp(job: Attempts, errors: readonly unknown[]): boolean {
  return isLastAttempt(job) || errors.every(isPermanent);
}

/** True, once a job has failed (BullMQ's `failed` event), when BullMQ will not retry it. */
export function failedForGood(job: Attempts, err: Error): boolean {
  return err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
}
