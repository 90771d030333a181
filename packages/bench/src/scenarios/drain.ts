import { expectedRows, TABLES, tableCounts, type NodeProcess } from '@imsync/testing';
import { log, type Context } from '../context.js';
import { CpuMeter } from '../cpu.js';
import { preload, type SyncQueue } from '../queue.js';

const S = 'Worker drain';

type Kind = 'sync-worker' | 'empty processor' | 'hand-written worker';
interface Side {
  readonly kind: Kind;
  /** Callbacks per job. */
  readonly batch: number;
  readonly label: string;
  readonly runs: Run[];
  /** The sync-worker of the `--before` checkout. */
  readonly before?: boolean;
}
interface Run {
  readonly seconds: number;
  /** CPU seconds of the worker, Redis and PostgreSQL while it drained. */
  readonly cpu: { readonly worker: number; readonly redis: number; readonly postgres: number };
}

/**
 * The same N callbacks, preloaded on a paused queue, drained by: the sync-worker (jobs of one, and jobs of
 * `--batch` as ingest makes them under load), a BullMQ worker with an empty processor (jobs of one: the
 * reference), and a hand-written worker (jobs of `--batch`, one transaction of plain upserts a job).
 * Same concurrency and pool size; sides alternating by round. The clock starts when the queue resumes
 * and stops at the last job's finishedOn. Every writing side's stores must then hold every event.
 */
export async function drain(ctx: Context): Promise<void> {
  const o = ctx.opts;
  const sides: Side[] = [
    { kind: 'sync-worker', batch: 1, label: 'sync-worker, jobs of one', runs: [] },
    { kind: 'empty processor', batch: 1, label: 'empty processor, jobs of one', runs: [] },
    { kind: 'sync-worker', batch: o.drainBatch, label: `sync-worker, ${o.drainBatch} per job`, runs: [] },
    {
      kind: 'hand-written worker',
      batch: o.drainBatch,
      label: `hand-written worker, ${o.drainBatch} per job`,
      runs: [],
    },
  ];
  if (o.before)
    for (const batch of [1, o.drainBatch])
      sides.push({
        kind: 'sync-worker',
        batch,
        label: `sync-worker before, ${batch === 1 ? 'jobs of one' : `${batch} per job`}`,
        runs: [],
        before: true,
      });
  for (let r = 1; r <= o.drainRounds; r++) {
    for (const side of r % 2 ? sides : [...sides].reverse()) side.runs.push(await drainOnce(ctx, side, r));
  }
  const rate = (s: Side) => (s.runs.length * o.drainJobs) / s.runs.reduce((n, r) => n + r.seconds, 0);
  const note = `${o.drainJobs} callbacks × ${o.drainRounds} round(s), concurrency ${o.concurrency}`;
  for (const side of sides) {
    const per = (f: (r: Run) => number) =>
      (1e6 * side.runs.reduce((n, r) => n + f(r), 0)) / (side.runs.length * o.drainJobs);
    const [worker, redis, postgres] = [
      per((r) => r.cpu.worker),
      per((r) => r.cpu.redis),
      per((r) => r.cpu.postgres),
    ];
    ctx.figure(S, `${side.label}: callbacks/s`, rate(side), 'callbacks/s', { note });
    ctx.figure(S, `${side.label}: CPU per callback, all processes`, worker + redis + postgres, 'µs', {
      note: `${worker.toFixed(0)} worker + ${redis.toFixed(0)} Redis + ${postgres.toFixed(0)} PostgreSQL`,
    });
  }
  const [single, empty, batched, hand, ...before] = sides.map(rate) as [
    number,
    number,
    number,
    number,
    ...number[],
  ];
  if (before.length === 2)
    ['jobs of one', `${o.drainBatch} per job`].forEach((jobs, i) =>
      ctx.figure(S, `sync-worker / sync-worker before, ${jobs}`, [single, batched][i]! / before[i]!, 'x'),
    );
  ctx.figure(S, 'sync-worker / empty processor, jobs of one', single / empty, 'x', {
    note: 'a reference: BullMQ alone',
  });
  ctx.figure(
    S,
    `sync-worker / hand-written worker, per callback, ${o.drainBatch} per job`,
    batched / hand,
    'x',
    {
      target: { op: '>=', bound: 2, text: '≥ 2×' },
    },
  );
  ctx.details.drain = Object.fromEntries(sides.map((s) => [s.label, s.runs]));
}

async function drainOnce(ctx: Context, side: Side, round: number): Promise<Run> {
  const o = ctx.opts;
  const name = `${side.kind.split(' ')[0]}${side.before ? '-before' : ''}-b${side.batch}-r${round}`;
  const [prefix, schema, tag] = [
    ctx.newPrefix(name),
    ctx.newSchema(name.replace(/-/g, '_')),
    ctx.newTag('dr'),
  ];
  const jobs = Math.ceil(o.drainJobs / side.batch);
  log(`${S}: round ${round}: preloading ${o.drainJobs} callbacks in ${jobs} jobs for the ${side.label}`);
  const q = await preload(ctx.redisUrl, prefix, ctx.sdkAppId, tag, o.drainJobs, side.batch);
  let worker: NodeProcess | undefined;
  try {
    const env = { QUEUE_PREFIX: prefix };
    if (side.kind === 'sync-worker') worker = await ctx.startSyncWorker(name, prefix, schema, side.before);
    else if (side.kind === 'empty processor')
      worker = (await ctx.startScript(name, 'baselines/empty-worker.ts', env)).proc;
    else {
      // the stores as production makes them: a sync-worker on a queue of its own runs the migrations
      const migrator = ctx.newPrefix('migrate');
      await ctx.stop(await ctx.startSyncWorker(`${name}-migrate`, migrator, schema));
      await ctx.drop({ prefix: migrator });
      const db = { DATABASE_URL: ctx.databaseUrl, DB_SCHEMA: schema };
      worker = (await ctx.startScript(name, 'baselines/hand-worker.ts', { ...env, ...db })).proc;
    }
    const run = await worker.guard(timeDrain(ctx, q, jobs, worker));
    log(`${S}: round ${round}: ${side.label}: ${Math.round(o.drainJobs / run.seconds)} callbacks/s`);
    const c = await q.counts();
    ctx.check(
      S,
      `round ${round}: the ${side.label} completed every job`,
      c.completed === jobs,
      `${c.completed}/${jobs} completed, ${c.failed} failed (${await q.firstFailure()})`,
    );
    if (side.kind !== 'empty processor') {
      const rows = await tableCounts(schema, ctx.databaseUrl);
      const expected = expectedRows(tag, o.drainJobs);
      const wrong = TABLES.filter((t) => rows[t] !== expected[t]);
      ctx.check(
        S,
        `round ${round}: the ${side.label}'s stores hold every event`,
        wrong.length === 0,
        wrong.map((t) => `${t} ${rows[t]} rows (expected ${expected[t]})`).join(', ') ||
          TABLES.map((t) => `${t} ${rows[t]}`).join(', '),
      );
    }
    return run;
  } finally {
    await ctx.stop(worker);
    await q.close();
    await ctx.drop({ prefix, schema });
  }
}

/** Resumes the queue and waits until every job is completed or failed (fails when it stalls for a minute). */
async function timeDrain(ctx: Context, q: SyncQueue, jobs: number, worker: NodeProcess): Promise<Run> {
  const meter = new CpuMeter(ctx.redisUrl);
  try {
    const [before, cpu, started] = [await meter.read(), worker.cpuSeconds(), Date.now()];
    await q.queue.resume();
    let [last, lastProgress] = [-1, Date.now()];
    for (;;) {
      const c = await q.counts();
      const done = c.completed + c.failed;
      if (done >= jobs) break;
      if (done !== last) [last, lastProgress] = [done, Date.now()];
      if (Date.now() - lastProgress > 60_000)
        throw new Error(
          `drain stalled at ${done}/${jobs} jobs: ${JSON.stringify(c)}; ${await q.firstFailure()}`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
    const workerSeconds = worker.cpuSeconds() - cpu;
    // read while the worker still holds its PostgreSQL connections (see CpuMeter)
    const used = await meter.since(before);
    return {
      seconds: ((await q.lastFinishedOn()) - started) / 1000,
      cpu: { worker: workerSeconds, redis: used.redisSeconds, postgres: used.postgresSeconds },
    };
  } finally {
    meter.close();
  }
}
