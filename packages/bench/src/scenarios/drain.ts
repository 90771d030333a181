import { mkdirSync, readdirSync } from 'node:fs';
import {
  eventKeyOf,
  jobOptionsFor,
  normalizePlatform,
  SYNC_BATCH_JOB,
  SYNC_JOB_OPTIONS,
  type SyncBatchJobData,
  type SyncJobData,
  type SyncedCommand,
} from '@imsync/callbacks';
import { log, type Context } from '../context.js';
import { CpuMeter } from '../cpu.js';
import { expectedRows, payload, TABLES } from '@imsync/testing';
import { tableCounts } from '../pg.js';
import type { Child } from '../proc.js';
import { formatProfile, summarizeProfile } from '../profile.js';
import { SyncQueue } from '../redis.js';
import type { Results } from '../results.js';
import { startEmptyWorker, startSyncWorker } from '../services.js';

const S = 'Worker drain';

interface DrainRun {
  readonly seconds: number;
  readonly completed: number;
  readonly failed: number;
  /** CPU time the worker process used while draining (PostgreSQL's own CPU not included). */
  readonly workerCpuSeconds: number;
  /** CPU time Redis and PostgreSQL used meanwhile. */
  readonly redisCpuSeconds: number;
  readonly postgresCpuSeconds: number;
}

/**
 * The sync-worker applying N preloaded jobs to PostgreSQL against a BullMQ worker with an empty
 * processor draining the same N, same concurrency, alternating. The queue is paused while it is
 * loaded and while the worker starts (and runs its migrations); the clock starts at resume and stops
 * at the last job's finishedOn.
 */
export async function drain(ctx: Context, results: Results): Promise<void> {
  const o = ctx.opts;
  const real: DrainRun[] = [];
  const empty: DrainRun[] = [];
  const batched: DrainRun[] = [];
  const sides = [
    () => drainSyncWorker(ctx, results, real.length + 1).then((r) => real.push(r)),
    () => drainEmpty(ctx, results, empty.length + 1).then((r) => empty.push(r)),
    () => drainSyncWorker(ctx, results, batched.length + 1, o.drainBatch).then((r) => batched.push(r)),
  ];
  for (let r = 1; r <= o.drainRounds; r++) {
    // every other round in reverse order, so that drift of the machine weighs on every side alike
    for (const side of r % 2 ? sides : [...sides].reverse()) await side();
  }
  const rate = (runs: DrainRun[]) => (runs.length * o.drainJobs) / runs.reduce((s, r) => s + r.seconds, 0);
  const perJobUs = (runs: DrainRun[], f: (r: DrainRun) => number) =>
    (1e6 * runs.reduce((s, r) => s + f(r), 0)) / (runs.length * o.drainJobs);
  const cpuMs = (runs: DrainRun[]) => perJobUs(runs, (r) => r.workerCpuSeconds) / 1000;
  // what a job costs the worker, Redis and PostgreSQL together: they share the machine's cores
  const budget = (runs: DrainRun[]) => {
    const [worker, redis, postgres] = [
      perJobUs(runs, (r) => r.workerCpuSeconds),
      perJobUs(runs, (r) => r.redisCpuSeconds),
      perJobUs(runs, (r) => r.postgresCpuSeconds),
    ];
    return {
      total: worker + redis + postgres,
      note: `${worker.toFixed(0)} worker + ${redis.toFixed(0)} Redis + ${postgres.toFixed(0)} PostgreSQL`,
    };
  };
  const note = `${o.drainJobs.toLocaleString('en-US')} jobs × ${o.drainRounds} round(s), concurrency ${o.concurrency}`;
  results.figure({ scenario: S, metric: 'sync-worker jobs/s', value: rate(real), unit: 'jobs/s', note });
  results.figure({ scenario: S, metric: 'empty processor jobs/s', value: rate(empty), unit: 'jobs/s' });
  results.figure({
    scenario: S,
    metric: 'sync-worker / empty processor',
    value: rate(real) / rate(empty),
    unit: 'x',
    target: { op: '>=', bound: 0.5, text: '≥ 0.5×' },
  });
  results.figure({
    scenario: S,
    metric: 'sync-worker CPU per job',
    value: cpuMs(real),
    unit: 'ms',
    note: `empty processor ${cpuMs(empty).toFixed(3)} ms (worker process only; PostgreSQL's CPU not counted)`,
  });
  for (const [name, runs] of [
    ['sync-worker', real],
    ['empty processor', empty],
  ] as const) {
    const b = budget(runs);
    results.figure({
      scenario: S,
      metric: `${name} CPU per job, all processes`,
      value: b.total,
      unit: 'µs',
      note: b.note,
    });
  }
  const b = budget(batched);
  results.figure({
    scenario: S,
    metric: `sync-worker callbacks/s, ${o.drainBatch} per job`,
    value: rate(batched),
    unit: 'callbacks/s',
    note: `the same ${o.drainJobs.toLocaleString('en-US')} callbacks in jobs of ${o.drainBatch}, as ingest enqueues them under load`,
  });
  results.figure({
    scenario: S,
    metric: `sync-worker, ${o.drainBatch} per job / empty processor`,
    value: rate(batched) / rate(empty),
    unit: 'x',
    note: 'per callback: the empty processor drains the same callbacks one per job (the target above is per job)',
  });
  results.figure({
    scenario: S,
    metric: `sync-worker CPU per callback, ${o.drainBatch} per job, all processes`,
    value: b.total,
    unit: 'µs',
    note: b.note,
  });
  results.details.drain = { syncWorker: real, emptyProcessor: empty, syncWorkerBatched: batched };
  if (o.profile) await profileSyncWorker(ctx, results);
}

/** An extra, unmeasured drain by a sync-worker under `node --cpu-prof`, summarised by self time. */
async function profileSyncWorker(ctx: Context, results: Results): Promise<void> {
  const dir = `${ctx.outDir}/profile-${ctx.runId}-worker`;
  mkdirSync(dir, { recursive: true });
  const prefix = ctx.newPrefix('drainprof');
  const schema = ctx.newSchema('drainprof');
  const q = await preload(ctx, prefix, ctx.newTag('dp'));
  let worker: Child | undefined;
  try {
    const spawnedAt = Date.now();
    worker = await startSyncWorker(ctx, { prefix, schema, name: 'sync-worker-profiled', profileDir: dir });
    log(`${S}: profiling the sync-worker draining ${ctx.opts.drainJobs} jobs`);
    const from = Date.now() - spawnedAt;
    const run = await timeDrain(q, ctx.opts.drainJobs, worker);
    const to = from + run.seconds * 1000;
    await worker.stop();
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no .cpuprofile written in ${dir}`);
    results.details.workerProfile =
      `${formatProfile(summarizeProfile(`${dir}/${file}`, { fromMs: from, toMs: to }))}\n(the drain only; the profiled ` +
      `worker drained ${Math.round(ctx.opts.drainJobs / run.seconds)} jobs/s; PostgreSQL's own time is not in it; file ${dir}/${file})`;
  } finally {
    await worker?.stop();
    await q.close();
    await ctx.dropPrefix(prefix);
    await ctx.dropSchema(schema);
  }
}

/**
 * N callbacks (the drain's jobs unless told) shaped exactly as ingest enqueues them, on distinct entities, onto a paused queue: a job each,
 * or `batch` per job as ingest enqueues the callbacks of one event-loop turn (without their duplicate marks,
 * which only ingest sets; the worker reads them all the same).
 */
export async function preload(
  ctx: Context,
  prefix: string,
  tag: string,
  batch = 1,
  n = ctx.opts.drainJobs,
): Promise<SyncQueue> {
  const q = new SyncQueue(ctx.redisUrl, prefix);
  await q.queue.pause();
  const receivedAt = Date.now();
  const chunk = batch * Math.ceil(1000 / batch); // whole batches
  for (let start = 0; start < n; start += chunk) {
    const jobs = [];
    for (let i = start; i < Math.min(n, start + chunk); i++) {
      const p = payload(tag, i);
      const data: SyncJobData = {
        v: 1,
        sdkAppId: ctx.sdkAppId,
        command: p.command,
        clientIp: '127.0.0.1',
        optPlatform: normalizePlatform('Android'),
        receivedAt,
        eventKey: eventKeyOf(ctx.sdkAppId, p.command, JSON.stringify(p.body)),
        body: p.body,
      };
      jobs.push({ name: p.command, data, opts: { ...jobOptionsFor(p.command as SyncedCommand) } });
    }
    if (batch <= 1) await q.queue.addBulk(jobs);
    else {
      const batches = [];
      for (let i = 0; i < jobs.length; i += batch) {
        const events = jobs.slice(i, i + batch).map((j) => j.data);
        batches.push({
          name: SYNC_BATCH_JOB,
          data: { v: 1, events } satisfies SyncBatchJobData,
          opts: { ...SYNC_JOB_OPTIONS },
        });
      }
      await q.queue.addBulk(batches);
    }
  }
  return q;
}

/** Resumes the queue and waits until every job is completed or failed. */
async function timeDrain(q: SyncQueue, n: number, worker: Child): Promise<DrainRun> {
  const meter = new CpuMeter(q.url);
  try {
    return await measureDrain(q, n, worker, meter);
  } finally {
    meter.close();
  }
}

async function measureDrain(q: SyncQueue, n: number, worker: Child, meter: CpuMeter): Promise<DrainRun> {
  const before = await meter.read();
  const cpu = worker.cpuSeconds();
  const started = Date.now();
  await q.queue.resume();
  let last = -1;
  let lastProgress = Date.now();
  const wait = async () => {
    for (;;) {
      const c = await q.counts();
      const done = c.completed + c.failed;
      if (done >= n) return c;
      if (done !== last) [last, lastProgress] = [done, Date.now()];
      if (Date.now() - lastProgress > 60_000) {
        throw new Error(
          `drain stalled at ${done}/${n} jobs: ${JSON.stringify(c)}; ${(await q.firstFailure()) ?? 'no failed job'}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const c = await worker.guard(wait());
  const workerCpuSeconds = worker.cpuSeconds() - cpu;
  // read while the worker still holds its PostgreSQL connections (see CpuMeter)
  const used = await meter.since(before);
  const finished = await q.lastFinishedOn();
  return {
    seconds: (finished - started) / 1000,
    completed: c.completed,
    failed: c.failed,
    workerCpuSeconds,
    redisCpuSeconds: used.redisSeconds,
    postgresCpuSeconds: used.postgresSeconds,
  };
}

async function drainSyncWorker(ctx: Context, results: Results, round: number, batch = 1): Promise<DrainRun> {
  const n = ctx.opts.drainJobs;
  const jobs = Math.ceil(n / batch);
  const side = batch > 1 ? `sync-worker, ${batch} per job,` : 'sync-worker';
  const name = batch > 1 ? `drainb${round}` : `drain${round}`;
  const prefix = ctx.newPrefix(name);
  const schema = ctx.newSchema(name);
  const tag = ctx.newTag(batch > 1 ? 'db' : 'dr');
  log(`${S}: round ${round}: preloading ${n} callbacks in ${jobs} jobs for the ${side}`);
  const q = await preload(ctx, prefix, tag, batch);
  let worker: Child | undefined;
  try {
    worker = await startSyncWorker(ctx, { prefix, schema, name: `sync-worker-${name}` });
    const run = await timeDrain(q, jobs, worker);
    log(
      `${S}: round ${round}: ${side} drained ${n} callbacks in ${run.seconds.toFixed(2)} s ` +
        `(${Math.round(n / run.seconds)} callbacks/s, ${Math.round(jobs / run.seconds)} jobs/s)`,
    );
    const failure = run.failed ? await q.firstFailure() : undefined;
    results.check(
      S,
      `round ${round}: the ${side} completed every job`,
      run.completed === jobs,
      `${run.completed}/${jobs} completed, ${run.failed} failed${failure ? ` (${failure})` : ''}`,
    );
    const rows = await tableCounts(ctx.databaseUrl, schema);
    const expected = expectedRows(tag, n);
    const wrong = TABLES.filter((t) => rows[t] !== expected[t]);
    results.check(
      S,
      `round ${round}: the ${side} stores hold every event's effect`,
      wrong.length === 0,
      wrong.length
        ? `rows differ: ${wrong.map((t) => `${t} ${rows[t]} (expected ${expected[t]})`).join(', ')}`
        : TABLES.map((t) => `${t} ${rows[t]}`).join(', '),
    );
    return run;
  } finally {
    await worker?.stop();
    if (worker) results.rss('sync-worker', worker);
    await q.close();
    await ctx.dropPrefix(prefix);
    await ctx.dropSchema(schema);
  }
}

async function drainEmpty(ctx: Context, results: Results, round: number): Promise<DrainRun> {
  const n = ctx.opts.drainJobs;
  const prefix = ctx.newPrefix(`empty${round}`);
  log(`${S}: round ${round}: preloading ${n} jobs for the empty processor`);
  const q = await preload(ctx, prefix, ctx.newTag('de'));
  let worker: Child | undefined;
  try {
    worker = await startEmptyWorker(ctx, prefix);
    const run = await timeDrain(q, n, worker);
    log(
      `${S}: round ${round}: empty processor drained ${n} jobs in ${run.seconds.toFixed(2)} s (${Math.round(n / run.seconds)} jobs/s)`,
    );
    results.check(
      S,
      `round ${round}: the empty processor completed every job`,
      run.completed === n,
      `${run.completed}/${n} completed`,
    );
    return run;
  } finally {
    await worker?.stop();
    await q.close();
    await ctx.dropPrefix(prefix);
  }
}
