import { Job, type JobsOptions, type Queue } from 'bullmq';
import { BATCH_DUPLICATES_FIELD } from '@imsync/callbacks';

/*
 * The one place ingest reaches past BullMQ's public API. It relies on:
 * - BullMQ's key layout: a job's hash is `<prefix>:<queue>:<job id>`, the mark its `deduplication` option
 *   keeps for an id is `<prefix>:<queue>:de:<id>` and holds the id of the job that carries it;
 * - `Job#addJob(transaction)`, which queues BullMQ's add script on a MULTI of ours, and the raw ioredis
 *   client behind a queue (`queue.getBackend().client`), which has that script loaded once it is ready;
 * - BullMQ leaving a field of ours in a job's hash alone for the job's life.
 * bullmq is pinned to an exact version for this; test/queue/bullmq-batch.test.ts fails when an upgrade
 * changes any of it.
 */

/** The Redis key of a job's hash. */
export function jobHashKey(queue: Queue, jobId: string): string {
  return queue.toKey(jobId);
}

/** What the keys of the marks on `queue` start with: a mark's key is `<it>:<deduplication id>`. */
function markKeyPrefix(queue: Queue): string {
  return queue.toKey('de');
}

/** The Redis key of the mark BullMQ's `deduplication: { id }` keeps on `queue`; its value is a job id. */
export function duplicateMarkKey(queue: Queue, id: string): string {
  return `${markKeyPrefix(queue)}:${id}`;
}

/**
 * Sets the marks of a job's callbacks, once the job is stored: KEYS[1] the job's hash, KEYS[2..n] the marks;
 * ARGV[1] the job id, ARGV[2..n] each mark's window (ms), ARGV[n+1..2n-1] each mark's index in the job. A
 * mark another job holds is a duplicate: its index goes to the job's hash, and is returned. A mark this job
 * holds already is no duplicate (ioredis resends a MULTI whose reply a reconnection lost: the transaction
 * then runs twice). Nothing is marked if the job is not there (its add failed). Sent as EVAL, so it can
 * never meet NOSCRIPT in a MULTI.
 */
const MARK_JOB = `
if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
local duplicates = {}
for i = 2, #KEYS do
  if not redis.call('SET', KEYS[i], ARGV[1], 'PX', ARGV[i], 'NX')
    and redis.call('GET', KEYS[i]) ~= ARGV[1] then
    duplicates[#duplicates + 1] = ARGV[#KEYS + i - 1]
  end
end
if #duplicates > 0 then
  redis.call('HSET', KEYS[1], '${BATCH_DUPLICATES_FIELD}', table.concat(duplicates, ','))
end
return duplicates
`;

/** The part of ioredis's MULTI that BullMQ's transaction type leaves out. */
interface Evaluating {
  eval(script: string, numKeys: number, ...args: (string | number)[]): unknown;
}

/** The duplicate mark of one callback of a job: its event key, held for `windowMs` (0: not marked). */
export interface Mark {
  readonly eventKey: string;
  readonly windowMs: number;
}

/**
 * Adds a job and marks its callbacks, in one MULTI: BullMQ's add, then each mark set to the job's id for its
 * window (`SET NX PX`, only if the job is stored). A callback whose mark another job holds is a duplicate,
 * listed in the job's hash (`BATCH_DUPLICATES_FIELD`, comma-separated indexes) in the same transaction.
 *
 * Resolves with, for each mark, whether it was a duplicate; or null when Redis did not store the job. Should
 * the marks fail once the job is stored (Redis out of memory between the two), the job stands and no
 * callback counts as a duplicate.
 */
export async function addJobWithMarks(
  queue: Queue,
  name: string,
  data: unknown,
  opts: JobsOptions & { readonly jobId: string },
  marks: readonly Mark[],
): Promise<boolean[] | null> {
  const { jobId } = opts;
  const client = await queue.getBackend().client;
  const job = new Job(queue, name, data, opts, jobId);
  const multi = client.multi();
  void job.addJob(multi).catch(() => undefined); // its reply comes with exec
  const marked = marks.flatMap((m, i) => (m.windowMs > 0 ? [{ m, i }] : []));
  if (marked.length > 0) {
    const markKeys = markKeyPrefix(queue);
    (multi as unknown as Evaluating).eval(
      MARK_JOB,
      1 + marked.length,
      jobHashKey(queue, jobId),
      ...marked.map(({ m }) => `${markKeys}:${m.eventKey}`),
      jobId,
      ...marked.map(({ m }) => m.windowMs),
      ...marked.map(({ i }) => i),
    );
  }
  const replies = await multi.exec();
  const [added, marking] = replies ?? [];
  if (!added || added[0] || added[1] !== jobId) return null;
  const duplicates = new Set<string>(marking && !marking[0] ? (marking[1] as string[]) : []);
  return marks.map((_, i) => duplicates.has(String(i)));
}
