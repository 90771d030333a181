import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { alternate, log, sum, type Context, type Target } from '../context.js';
import { cpuFigure, measureCpu } from '../cpu.js';
import type { ClosedResult, LoadRequest } from '../loadgen.js';
import type { Setup } from '../options.js';

const S = 'Ingest throughput';

/** A load's result, with the CPU seconds the server, Redis and the load generator used meanwhile. */
type Measured = ClosedResult & { readonly cpu: Readonly<Record<string, number>> };
/** A server, the queue prefix it enqueues onto if it does, and its warm-up and measured loads. */
type Side = { label: string; target: Target; prefix?: string; warmup?: Measured; runs: Measured[] };

/**
 * Ingest against bare Koa and naive enqueue (and with `--before` the other checkout's ingest) in each
 * setup: the same distinct, signed mix of every synced command, from the same autocannon process, sides
 * alternating round by round after a warm-up each.
 * Pinned: each server on core 0 and the load generator on core 1 (taskset); Redis and PostgreSQL where
 * the scheduler puts them. Afterwards every request answered OK must be a callback on the queue.
 */
export async function throughput(ctx: Context): Promise<void> {
  for (const setup of ctx.opts.setups) {
    const why = setup === 'pinned' ? cannotPin() : undefined;
    if (why) ctx.check(`${S}, pinned`, 'the pinned setup can run', false, why);
    else await ctx.scoped(() => runSetup(ctx, setup));
  }
}

/** Why the pinned setup cannot run here, if it cannot: it needs two cores and taskset (util-linux). */
function cannotPin(): string | undefined {
  if (cpus().length < 2) return `${cpus().length} core(s): one for the servers, one for the load generator`;
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return undefined;
  } catch {
    return 'taskset (util-linux) is not installed';
  }
}

async function runSetup(ctx: Context, setup: Setup): Promise<void> {
  const o = ctx.opts;
  const [cpus, loadCpus] = setup === 'pinned' ? ['0', '1'] : [];
  log(`${S}, ${setup}: starting ingest, bare Koa, naive enqueue and the load generator`);
  /** A server to measure; one that enqueues gets a queue prefix of its own. */
  const server = async (label: string, what: 'ingest' | `${string}.ts`, enqueues = true, before = false) => {
    const name = `${label.toLowerCase().replace(/ /g, '-')}-${setup}`;
    const prefix = enqueues ? ctx.prefix(name) : undefined;
    const target = await ctx.start(name, what, { env: prefix ? { QUEUE_PREFIX: prefix } : {}, cpus, before });
    return { label, target, prefix, runs: [] };
  };
  const sides: Side[] = [
    await server('ingest', 'ingest'),
    await server('bare Koa', 'baselines/koa.ts', false),
    await server('naive enqueue', 'baselines/koa.ts'),
  ];
  if (o.before) sides.push(await server('ingest before', 'ingest', true, true));
  const loadgen = (await ctx.start(`loadgen-${setup}`, 'loadgen.ts', { cpus: loadCpus })).proc;
  const load = async (t: Target, seconds: number): Promise<Measured> => {
    const req: LoadRequest = { mode: 'closed', port: t.port, tag: ctx.newTag('tp'), seconds };
    const sources = { server: t.proc, Redis: 'redis', 'load generator': loadgen } as const;
    const m = await measureCpu(ctx.redis, sources, () => ctx.guard(loadgen.request<ClosedResult>(req)));
    return { ...m.result, cpu: m.cpu };
  };
  for (const s of sides) {
    log(`${S}, ${setup}: warm-up ${s.target.name} (${o.warmupSeconds} s)`);
    s.warmup = await load(s.target, o.warmupSeconds);
  }
  await alternate(o.rounds, sides, async (s, r) => {
    const m = await load(s.target, o.roundSeconds);
    s.runs.push(m);
    const us = Object.entries(m.cpu).map(([k, seconds]) => `${k} ${((1e6 * seconds) / m.ok).toFixed(0)}`);
    log(
      `${S}, ${setup}: round ${r}/${o.rounds} ${s.target.name}: ${Math.round(m.ok / m.seconds)} req/s, ` +
        `p50 ${m.p50} ms, p99 ${m.p99} ms, CPU µs/request: ${us.join(', ')}; ${m.bad} not 2xx`,
    );
  });
  for (const s of sides.filter((s) => s.prefix)) {
    // every request answered 2xx is a callback in a job; at most the requests sent (some were in flight)
    const runs = [s.warmup!, ...s.runs];
    const [ok, sent, bad] = [sum(runs, (r) => r.ok), sum(runs, (r) => r.sent), sum(runs, (r) => r.bad)];
    const { callbacks, jobs } = await ctx.queue(s.prefix!).callbacks();
    ctx.check(
      S,
      `${setup}, ${s.target.name}: every OK answer is in a job in Redis`,
      bad === 0 && callbacks >= ok && callbacks <= sent,
      `${ok} answered 2xx, ${callbacks} callbacks in ${jobs} jobs ` +
        `(${(callbacks / jobs).toFixed(1)} per job), ${sent} requests sent, ${bad} not 2xx`,
    );
  }
  report(ctx, setup, sides);
}

/** Requests/s over every round, the median of the rounds' p50s and the worst round's p99. */
function aggregate({ runs }: Side) {
  const p50s = runs.map((r) => r.p50).sort((x, y) => x - y);
  const rps = sum(runs, (r) => r.ok) / sum(runs, (r) => r.seconds);
  return { rps, p50: p50s[Math.floor((runs.length - 1) / 2)]!, p99: Math.max(...runs.map((r) => r.p99)) };
}

function report(ctx: Context, setup: Setup, sides: Side[]): void {
  type Aggregate = ReturnType<typeof aggregate>;
  const [ingest, bare, naive, before] = sides.map(aggregate) as [Aggregate, Aggregate, Aggregate, Aggregate?];
  const S2 = `${S}, ${setup}`;
  const o = ctx.opts;
  const note = `${o.rounds} alternating round(s) of ${o.roundSeconds} s, ${o.connections} connections`;
  ctx.figure(S2, 'ingest requests/s', ingest.rps, 'req/s', { note });
  ctx.figure(S2, 'bare Koa / naive enqueue requests/s', bare.rps, 'req/s', {
    note: `naive enqueue ${Math.round(naive.rps)} req/s`,
  });
  const pinned = setup === 'pinned';
  ctx.figure(S2, 'ingest / bare Koa', ingest.rps / bare.rps, 'x', {
    target: pinned ? { op: '>=', bound: 0.6, text: '≥ 0.6×' } : undefined,
  });
  ctx.figure(S2, 'ingest / naive enqueue', ingest.rps / naive.rps, 'x', {
    target: { op: '>=', bound: 1, text: '≥ 1.0×' },
  });
  if (before)
    ctx.figure(S2, 'ingest / ingest before', ingest.rps / before.rps, 'x', {
      note: `ingest before ${Math.round(before.rps)} req/s, p50 ${before.p50} / p99 ${before.p99} ms`,
    });
  ctx.figure(S2, 'ingest p99 latency', ingest.p99, 'ms', {
    target: { op: '<=', bound: 25, text: '≤ 25 ms' },
    note: `p50 ${ingest.p50} ms (median of rounds; p99: worst round); bare Koa ${bare.p50} / ${bare.p99}, naive enqueue ${naive.p50} / ${naive.p99}`,
  });
  // the sides share the machine's cores with Redis and the load generator: what a request costs them all
  for (const { label, runs } of sides.slice(0, 3))
    cpuFigure(
      ctx,
      S2,
      `${label} CPU per request, all processes`,
      runs,
      sum(runs, (r) => r.ok),
    );
  ctx.details[`throughput-${setup}`] = Object.fromEntries(sides.map((s) => [s.target.name, s.runs]));
}
