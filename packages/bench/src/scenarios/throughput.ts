import { mkdirSync, readdirSync } from 'node:fs';
import { log, type Context } from '../context.js';
import { CpuMeter } from '../cpu.js';
import type { LoadRequest, LoadResult } from '../loadgen.js';
import { firstMessage, guard, request, type Child } from '../proc.js';
import { formatProfile, summarizeProfile } from '../profile.js';
import { SyncQueue } from '../redis.js';
import type { Results } from '../results.js';
import { startBaseline, startIngest, tsChild, type Target } from '../services.js';
import { median } from '../stats.js';

const S = 'Ingest throughput';

/** A load's result, with the CPU time the server, Redis and the load generator used meanwhile. */
type Measured = LoadResult & {
  readonly serverCpuSeconds: number;
  readonly redisCpuSeconds: number;
  readonly loadgenCpuSeconds: number;
};

interface SideRuns {
  readonly target: Target;
  readonly prefix?: string;
  warmup?: Measured;
  readonly rounds: Measured[];
}

/**
 * Ingest against bare Koa and naive enqueue: the same distinct, signed callback mix, the same
 * autocannon process and connections, sides alternating round by round after a warm-up each.
 * Afterwards every request answered OK must be a job on the queue.
 */
export async function throughput(ctx: Context, results: Results): Promise<void> {
  const o = ctx.opts;
  const ingestPrefix = ctx.newPrefix('ingest');
  const naivePrefix = ctx.newPrefix('naive');
  log(`${S}: starting ingest, bare Koa, naive enqueue and the load generator`);
  const ingest = await startIngest(ctx, { prefix: ingestPrefix });
  const bare = await startBaseline(ctx, 'bare-koa', 'bare-koa.ts');
  const naive = await startBaseline(ctx, 'naive-enqueue', 'naive-enqueue.ts', naivePrefix);
  const loadgen = tsChild('loadgen-throughput', 'loadgen.ts', ctx);
  await firstMessage(loadgen);
  const sides: SideRuns[] = [
    { target: ingest, prefix: ingestPrefix, rounds: [] },
    { target: bare, rounds: [] },
    { target: naive, prefix: naivePrefix, rounds: [] },
  ];
  const children: Child[] = [...sides.map((s) => s.target.child), loadgen];
  const meter = new CpuMeter(ctx.redisUrl);

  const load = async (t: Target, seconds: number): Promise<Measured> => {
    const req: LoadRequest = {
      host: t.host,
      port: t.port,
      spec: { tag: ctx.newTag('tp'), sdkAppId: ctx.sdkAppId, token: ctx.token, path: t.path },
      connections: o.connections,
      seconds,
    };
    const [cpu, loadCpu, before] = [t.child.cpuSeconds(), loadgen.cpuSeconds(), await meter.read()];
    const res = await guard(children, request<LoadResult>(loadgen, req));
    return {
      ...res,
      serverCpuSeconds: t.child.cpuSeconds() - cpu,
      redisCpuSeconds: (await meter.since(before)).redisSeconds,
      loadgenCpuSeconds: loadgen.cpuSeconds() - loadCpu,
    };
  };

  try {
    for (const side of sides) {
      log(`${S}: warm-up ${side.target.name} (${o.warmupSeconds} s)`);
      side.warmup = await load(side.target, o.warmupSeconds);
    }
    for (let r = 1; r <= o.rounds; r++) {
      // every other round in reverse order, so that a machine slowing down (or speeding up) in the course
      // of the run weighs on every side alike
      for (const side of r % 2 ? sides : [...sides].reverse()) {
        const res = await load(side.target, o.roundSeconds);
        side.rounds.push(res);
        const perRequest = (seconds: number) => ((1e6 * seconds) / res.ok).toFixed(0);
        log(
          `${S}: round ${r}/${o.rounds} ${side.target.name}: ${Math.round(res.rps)} req/s, ` +
            `p50 ${res.latency.p50} ms, p99 ${res.latency.p99} ms, CPU µs/request: server ` +
            `${perRequest(res.serverCpuSeconds)}, Redis ${perRequest(res.redisCpuSeconds)}, load generator ` +
            `${perRequest(res.loadgenCpuSeconds)}; non-2xx ${res.non2xx}, errors ${res.errors}`,
        );
      }
    }
    for (const side of sides) if (side.prefix) await verifyEnqueued(ctx, results, side);
    if (o.profile) await profileIngest(ctx, results, load);
  } finally {
    meter.close();
    await loadgen.stop();
    for (const side of sides) await side.target.child.stop();
    results.rss('ingest', ingest.child);
    results.rss('bare-koa', bare.child);
    results.rss('naive-enqueue', naive.child);
    await ctx.dropPrefix(ingestPrefix);
    await ctx.dropPrefix(naivePrefix);
  }
  report(results, sides);
}

/**
 * Every request answered 2xx is a callback in a job; at most the requests sent (some were in flight at the
 * end). Ingest puts the callbacks of one event-loop turn in one job: its jobs are counted by callback.
 */
async function verifyEnqueued(ctx: Context, results: Results, side: SideRuns): Promise<void> {
  const all = [side.warmup!, ...side.rounds];
  const ok = all.reduce((n, r) => n + r.ok, 0);
  const sent = all.reduce((n, r) => n + r.sent, 0);
  const bad = all.reduce((n, r) => n + r.non2xx + r.errors, 0);
  const q = new SyncQueue(ctx.redisUrl, side.prefix!);
  const { callbacks, jobs } = await q.callbacks().finally(() => q.close());
  const pass = bad === 0 && callbacks >= ok && callbacks <= sent;
  results.check(
    S,
    `${side.target.name}: every OK answer is in a job in Redis`,
    pass,
    `${ok} answered 2xx, ${callbacks} callbacks in ${jobs} jobs on the queue (${(callbacks / jobs).toFixed(1)} ` +
      `per job), ${sent} requests sent, ${bad} non-2xx or errors`,
  );
}

function aggregate(rounds: readonly Measured[]) {
  const ok = rounds.reduce((n, r) => n + r.ok, 0);
  const seconds = rounds.reduce((n, r) => n + r.seconds, 0);
  const perRequestUs = (f: (r: Measured) => number) => (1e6 * rounds.reduce((n, r) => n + f(r), 0)) / ok;
  const server = perRequestUs((r) => r.serverCpuSeconds);
  const redis = perRequestUs((r) => r.redisCpuSeconds);
  const loadgen = perRequestUs((r) => r.loadgenCpuSeconds);
  return {
    rps: ok / seconds,
    cpuMs: server / 1000,
    cpuUs: { server, redis, loadgen, total: server + redis + loadgen },
    p50: median(rounds.map((r) => r.latency.p50)),
    p99: Math.max(...rounds.map((r) => r.latency.p99)),
  };
}

function report(results: Results, sides: readonly SideRuns[]): void {
  const [ingest, bare, naive] = sides.map((s) => aggregate(s.rounds)) as [
    ReturnType<typeof aggregate>,
    ReturnType<typeof aggregate>,
    ReturnType<typeof aggregate>,
  ];
  const rounds = sides[0]!.rounds.length;
  const note = `${rounds} alternating round(s); p50 median of rounds, p99 worst round`;
  results.figure({ scenario: S, metric: 'ingest requests/s', value: ingest.rps, unit: 'req/s', note });
  results.figure({ scenario: S, metric: 'bare Koa requests/s', value: bare.rps, unit: 'req/s' });
  results.figure({ scenario: S, metric: 'naive enqueue requests/s', value: naive.rps, unit: 'req/s' });
  results.figure({
    scenario: S,
    metric: 'ingest / bare Koa',
    value: ingest.rps / bare.rps,
    unit: 'x',
    target: { op: '>=', bound: 0.6, text: '≥ 0.6×' },
  });
  results.figure({
    scenario: S,
    metric: 'ingest / naive enqueue',
    value: ingest.rps / naive.rps,
    unit: 'x',
    target: { op: '>=', bound: 1.0, text: '≥ 1.0×' },
  });
  results.figure({ scenario: S, metric: 'ingest p50 latency', value: ingest.p50, unit: 'ms' });
  results.figure({
    scenario: S,
    metric: 'ingest p99 latency',
    value: ingest.p99,
    unit: 'ms',
    target: { op: '<=', bound: 25, text: '≤ 25 ms at 64 connections' },
  });
  results.figure({
    scenario: S,
    metric: 'bare Koa p50 / p99',
    value: bare.p50,
    unit: 'ms',
    note: `p99 ${bare.p99} ms`,
  });
  results.figure({
    scenario: S,
    metric: 'naive enqueue p50 / p99',
    value: naive.p50,
    unit: 'ms',
    note: `p99 ${naive.p99} ms`,
  });
  results.figure({
    scenario: S,
    metric: 'ingest CPU per request',
    value: ingest.cpuMs,
    unit: 'ms',
    note: `bare Koa ${bare.cpuMs.toFixed(3)} ms, naive enqueue ${naive.cpuMs.toFixed(3)} ms (server process CPU time / 2xx answers)`,
  });
  // The sides share the machine's cores with Redis and the load generator: what each request costs all of
  // them together is what bounds its requests/s.
  const budget = (c: ReturnType<typeof aggregate>['cpuUs']) =>
    `${c.server.toFixed(0)} server + ${c.redis.toFixed(0)} Redis + ${c.loadgen.toFixed(0)} load generator`;
  for (const [name, side] of [
    ['ingest', ingest],
    ['bare Koa', bare],
    ['naive enqueue', naive],
  ] as const) {
    results.figure({
      scenario: S,
      metric: `${name} CPU per request, all processes`,
      value: side.cpuUs.total,
      unit: 'µs',
      note: budget(side.cpuUs),
    });
  }
  results.details.throughput = Object.fromEntries(
    sides.map((s) => [s.target.name, { warmup: s.warmup, rounds: s.rounds }]),
  );
}

/** An extra, unmeasured run of ingest under `node --cpu-prof`, summarised by self time. */
async function profileIngest(
  ctx: Context,
  results: Results,
  load: (t: Target, seconds: number) => Promise<Measured>,
): Promise<void> {
  const dir = `${ctx.outDir}/profile-${ctx.runId}`;
  mkdirSync(dir, { recursive: true });
  const prefix = ctx.newPrefix('profile');
  const spawnedAt = Date.now();
  const ingest = await startIngest(ctx, { prefix, name: 'ingest-profiled', profileDir: dir });
  try {
    log(`${S}: profiling ingest (warm-up, then ${ctx.opts.roundSeconds} s under the same load)`);
    await Promise.race([load(ingest, ctx.opts.warmupSeconds), ingest.child.crashed]);
    const from = Date.now() - spawnedAt;
    const res = await Promise.race([load(ingest, ctx.opts.roundSeconds), ingest.child.crashed]);
    const to = Date.now() - spawnedAt;
    await ingest.child.stop();
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no .cpuprofile written in ${dir}`);
    const summary = summarizeProfile(`${dir}/${file}`, { fromMs: from, toMs: to });
    results.details.profile =
      `${formatProfile(summary)}\n(the measured load only, start-up and warm-up left out; profiled ingest ` +
      `answered ${Math.round(res.rps)} req/s; file ${dir}/${file})`;
  } finally {
    await ingest.child.stop();
    await ctx.dropPrefix(prefix);
  }
}
