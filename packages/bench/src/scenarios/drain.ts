import { setTimeout as sleep } from 'node:timers/promises';
import { expectedRows, TABLES, tableCounts } from '@imsync/testing';
import { alternate, log, sum, type Context } from '../context.js';
import { cpuFigure, measureCpu } from '../cpu.js';

const S = 'Worker drain';

type Kind = 'sync-worker' | 'empty processor' | 'hand-written worker';
/** Callbacks per job, and how the report says it. */
type Size = { readonly batch: number; readonly jobs: string };
type Side = Size & { kind: Kind; before: boolean; label: string; runs: Run[] };
/** How long a drain took, and the CPU seconds of the worker, Redis and PostgreSQL meanwhile. */
type Run = { readonly seconds: number; readonly cpu: Readonly<Record<string, number>> };

/**
 * The same N callbacks, preloaded on a paused queue, drained by: the sync-worker (jobs of one, and jobs of
 * `--batch` as ingest makes them under load), a BullMQ worker with an empty processor (jobs of one: the
 * reference), a hand-written worker (jobs of `--batch`, one transaction of plain upserts a job), and with
 * `--before` the other checkout's sync-worker. Same concurrency and pool size; sides alternating by round.
 * The clock starts when the queue resumes and stops at the last job's finishedOn. Every writing side's
 * stores must then hold every event.
 */
export async function drain(ctx: Context): Promise<void> {
  const o = ctx.opts;
  const one: Size = { batch: 1, jobs: 'jobs of one' };
  const many: Size = { batch: o.drainBatch, jobs: `${o.drainBatch} per job` };
  const side = (kind: Kind, size: Size, before = false): Side => {
    return { ...size, kind, before, label: `${kind}${before ? ' before' : ''}, ${size.jobs}`, runs: [] };
  };
  const sides = [
    side('sync-worker', one),
    side('empty processor', one),
    side('sync-worker', many),
    side('hand-written worker', many),
  ];
  if (o.before) sides.push(side('sync-worker', one, true), side('sync-worker', many, true));
  await alternate(o.drainRounds, sides, async (side, round) => {
    side.runs.push(await ctx.scoped(() => drainOnce(ctx, side, round)));
  });
  const callbacks = o.drainRounds * o.drainJobs;
  const note = `${o.drainJobs} callbacks × ${o.drainRounds} round(s), concurrency ${o.concurrency}`;
  const rates = sides.map((side) => callbacks / sum(side.runs, (r) => r.seconds));
  for (const [i, side] of sides.entries()) {
    ctx.figure(S, `${side.label}: callbacks/s`, rates[i]!, 'callbacks/s', { note });
    cpuFigure(ctx, S, `${side.label}: CPU per callback, all processes`, side.runs, callbacks);
  }
  const [single, empty, batched, hand, ...before] = rates as [number, number, number, number, ...number[]];
  if (o.before) {
    ctx.figure(S, `sync-worker / sync-worker before, ${one.jobs}`, single / before[0]!, 'x');
    ctx.figure(S, `sync-worker / sync-worker before, ${many.jobs}`, batched / before[1]!, 'x');
  }
  ctx.figure(S, 'sync-worker / empty processor, jobs of one', single / empty, 'x', {
    note: 'a reference: BullMQ alone',
  });
  ctx.figure(S, `sync-worker / hand-written worker, per callback, ${many.jobs}`, batched / hand, 'x', {
    target: { op: '>=', bound: 2, text: '≥ 2×' },
  });
  ctx.details.drain = Object.fromEntries(sides.map((s) => [s.label, s.runs]));
}

async function drainOnce(ctx: Context, side: Side, round: number): Promise<Run> {
  const o = ctx.opts;
  const name = `${side.kind.split(' ')[0]}${side.before ? '-before' : ''}-b${side.batch}-r${round}`;
  const [prefix, schema, tag] = [ctx.prefix(name), ctx.schema(name), ctx.newTag('dr')];
  const jobs = Math.ceil(o.drainJobs / side.batch);
  log(`${S}: round ${round}: preloading ${o.drainJobs} callbacks in ${jobs} jobs for the ${side.label}`);
  const q = ctx.queue(prefix);
  await q.preload(ctx.sdkAppId, tag, o.drainJobs, side.batch);
  const hand = side.kind === 'hand-written worker';
  // the hand-written worker's stores as production makes them: a sync-worker on a queue of its own migrates
  if (hand) await (await ctx.syncWorker(`${name}-migrate`, ctx.prefix('migrate'), schema)).stop(10_000);
  const env = { QUEUE_PREFIX: prefix, DB_SCHEMA: schema, HAND_WRITTEN: hand ? '1' : '' };
  const worker =
    side.kind === 'sync-worker'
      ? await ctx.syncWorker(name, prefix, schema, side.before)
      : (await ctx.start(name, 'baselines/worker.ts', { env })).proc;

  // the clock runs from resuming the queue until every job is completed or failed
  const sources = { worker, Redis: 'redis', PostgreSQL: 'postgres' } as const;
  const drained = async () => {
    const started = Date.now();
    await q.queue.resume();
    let [last, lastProgress] = [-1, Date.now()];
    for (;;) {
      const c = await q.counts();
      const done = c.completed + c.failed;
      if (done >= jobs) return started;
      if (done !== last) [last, lastProgress] = [done, Date.now()];
      const stalled = `drain stalled at ${done}/${jobs} jobs: ${JSON.stringify(c)}`;
      if (Date.now() - lastProgress > 60_000) throw new Error(`${stalled}; ${await q.firstFailure()}`);
      await sleep(50);
    }
  };
  const { result: started, cpu } = await ctx.guard(measureCpu(ctx.redis, sources, drained));
  const run = { seconds: ((await q.lastFinishedOn()) - started) / 1000, cpu };
  log(`${S}: round ${round}: ${side.label}: ${Math.round(o.drainJobs / run.seconds)} callbacks/s`);

  const c = await q.counts();
  const detail = `${c.completed}/${jobs} completed, ${c.failed} failed (${await q.firstFailure()})`;
  ctx.check(S, `round ${round}: the ${side.label} completed every job`, c.completed === jobs, detail);
  if (side.kind !== 'empty processor') {
    const [rows, expected] = [await tableCounts(schema, ctx.databaseUrl), expectedRows(tag, o.drainJobs)];
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
}
