import { Agent, request } from 'node:http';
import { expect } from 'chai';
import fc from 'fast-check';
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import {
  eventKeyOf,
  isBeforeCallback,
  isSyncedCommand,
  REJECTIONS,
  SYNC_BATCH_JOB,
  SYNC_QUEUE,
  UNROUTED_QUEUE,
  type SyncBatchJobData,
  type SyncJobData,
} from '@imsync/callbacks';
import { TEST_REDIS_URL, killAll, eventually } from '@imsync/testing';
import { fuzzRequests, type FuzzRequest } from './support/fuzz-requests.js';
import { SDK_APP_ID, Stack } from './support/stack.js';

/** Seeded, so that a failure can be replayed: FUZZ_SEED and FUZZ_RUNS change the run. */
const SEED = Number(process.env.FUZZ_SEED ?? 20_240_614);
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
/** Requests in flight at once, each on a keep-alive connection of the agent. */
const CONCURRENCY = 16;

interface Answered {
  readonly req: FuzzRequest;
  readonly status: number;
  readonly json: { ActionStatus?: unknown; ErrorInfo?: unknown; ErrorCode?: unknown } | undefined;
}

/** The documented answers: OK, or a reason of the contract's table with its status and ErrorCode. */
const DOCUMENTED = new Set([
  '200 0 OK',
  ...Object.values(REJECTIONS).map((r) => `${r.status} ${r.code} FAIL`),
]);

function send(port: number, agent: Agent, req: FuzzRequest): Promise<Answered> {
  return new Promise((resolve, reject) => {
    const r = request(
      { host: '127.0.0.1', port, agent, method: req.method, path: req.path, headers: req.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let json: Answered['json'];
          try {
            json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Answered['json'];
          } catch {
            json = undefined;
          }
          resolve({ req, status: res.statusCode ?? 0, json });
        });
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(req.body.length ? req.body : undefined);
  });
}

/** Sends every request, CONCURRENCY at a time, and returns the answers in order. */
async function sendAll(port: number, requests: readonly FuzzRequest[]): Promise<Answered[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const answers = new Array<Answered>(requests.length);
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < requests.length) {
          const i = next++;
          answers[i] = await send(port, agent, requests[i]!);
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  return answers;
}

/** `{ applied }` or `{ skipped }` (not as another job's duplicate): the worker did what the callback asks. */
const done = (r: unknown): boolean =>
  !!r &&
  typeof r === 'object' &&
  ('applied' in r ||
    ('skipped' in r && !String((r as { skipped: unknown }).skipped).startsWith('a duplicate')));

/** The event keys of the callbacks the completed jobs applied. */
function appliedKeys(jobs: readonly Job[]): Set<string> {
  const keys = new Set<string>();
  for (const job of jobs) {
    if (job.name === SYNC_BATCH_JOB) {
      const results = (job.returnvalue as { events?: unknown[] } | null)?.events ?? [];
      (job.data as SyncBatchJobData).events.forEach((e, i) => {
        if (done(results[i])) keys.add(e.eventKey);
      });
    } else if (done(job.returnvalue)) keys.add((job.data as SyncJobData).eventKey);
  }
  return keys;
}

describe('fuzz: every answer is documented, and every callback answered OK is applied (real processes)', function () {
  this.timeout(300_000);
  let stack: Stack;
  let redis: Redis;
  let sync: Queue;
  let unrouted: Queue;
  before(async () => {
    stack = await Stack.start({
      label: 'e2e-fuzz',
      // Redis is up all along: any 503 would be a job refused for its own fault
      // batches of at most 8 callbacks: completed batch jobs are kept by count / 8, enough to find them all
      ingestEnv: { ENQUEUE_TIMEOUT_MS: '1900', INGEST_BATCH_MAX: '8' },
      workerEnv: { WORKER_CONCURRENCY: '64' },
    });
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    sync = new Queue(SYNC_QUEUE, { connection: redis, prefix: stack.prefix });
    unrouted = new Queue(UNROUTED_QUEUE, { connection: redis, prefix: stack.prefix });
  });
  after(async () => {
    await sync?.close();
    await unrouted?.close();
    redis?.disconnect();
    await stack?.close();
    await killAll();
  });

  it(`${RUNS} generated requests (seed ${SEED}): documented answers, no 500, OK means applied, nothing failed`, async () => {
    const requests = fc.sample(fuzzRequests(SDK_APP_ID), { seed: SEED, numRuns: RUNS });
    const answers = await sendAll(stack.ports.ingest, requests);

    // every answer is one of the table's, shaped as Tencent expects
    const undocumented = answers.filter(
      (a) =>
        !a.json ||
        typeof a.json.ErrorInfo !== 'string' ||
        !DOCUMENTED.has(`${a.status} ${String(a.json.ErrorCode)} ${String(a.json.ActionStatus)}`),
    );
    const show = (list: readonly Answered[]) =>
      list
        .slice(0, 5)
        .map((a) => `${a.status} ${JSON.stringify(a.json)?.slice(0, 200)} ← ${a.req.kind}`)
        .join('\n');
    expect(undocumented, show(undocumented)).to.have.length(0);
    const serverErrors = answers.filter((a) => a.status >= 500);
    expect(serverErrors, show(serverErrors)).to.have.length(0);
    const wronglyOk = answers.filter((a) => a.status === 200 && a.req.mustRefuse);
    expect(wronglyOk, show(wronglyOk)).to.have.length(0);

    const ok = answers.filter((a) => a.status === 200);
    const okSynced = ok.filter((a) => a.req.command !== null && isSyncedCommand(a.req.command));
    const okUnrouted = ok.filter(
      (a) => a.req.command !== null && !isSyncedCommand(a.req.command) && !isBeforeCallback(a.req.command),
    );
    // the run reaches every side: accepted and refused, synced and not, hostile and not
    expect(okSynced.length, 'synced callbacks answered OK').to.be.above(RUNS / 5);
    expect(answers.length - ok.length, 'requests refused').to.be.above(RUNS / 5);
    expect(requests.filter((r) => r.mustRefuse).length, 'hostile bodies sent').to.be.above(RUNS / 10);

    // the worker drains the sync queue: nothing waits, nothing failed
    await eventually(
      async () => {
        const c = await sync.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed');
        const pending = (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0);
        return (c.failed ?? 0) > 0 || pending === 0;
      },
      240_000,
      'the sync queue drained',
    );
    const failed = await sync.getFailed(0, 10);
    expect(
      failed.map((j) => `${j.name}: ${j.failedReason}`),
      'jobs in the failed set',
    ).to.deep.equal([]);

    // every synced callback answered OK was applied (or deliberately skipped) by a job that completed
    const applied = appliedKeys(await sync.getCompleted(0, -1));
    const lost = okSynced.filter(
      (a) => !applied.has(eventKeyOf(SDK_APP_ID, a.req.command!, a.req.text ?? '')),
    );
    expect(lost, show(lost)).to.have.length(0);

    // every other callback answered OK is kept on the unrouted queue
    const kept = await unrouted.getJobCounts('waiting', 'active', 'completed', 'failed');
    expect(kept.failed).to.equal(0);
    expect((kept.waiting ?? 0) + (kept.active ?? 0) + (kept.completed ?? 0)).to.equal(okUnrouted.length);
    expect(stack.worker?.logs.filter((l) => (l.level ?? 0) >= 50).map((l) => l.raw) ?? []).to.deep.equal([]);
  });
});
