import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import type { NodeProcess } from '@imsync/testing';
import { CALLBACK_PATH, log, type Context, type Target } from '../context.js';
import { CpuMeter } from '../cpu.js';
import type { ClosedResult, LoadRequest } from '../loadgen.js';
import type { Setup } from '../options.js';
import { SyncQueue } from '../queue.js';

const S = 'Ingest throughput';

/** A load's result, with the CPU time the server, Redis and the load generator used meanwhile (µs/request). */
type Measured = ClosedResult & { readonly cpu: { server: number; redis: number; loadgen: number } };

interface Side {
  readonly target: Target;
  readonly prefix?: string;
  readonly runs: Measured[];
}

/**
 * Ingest against bare Koa and naive enqueue in each setup: the same distinct, signed mix of every synced
 * command, from the same autocannon process, sides alternating round by round after a warm-up each.
 * Pinned: each server on core 0 and the load generator on core 1 (taskset); Redis and PostgreSQL where
 * the scheduler puts them. Afterwards every request answered OK must be a callback on the queue.
 */
export async function throughput(ctx: Context): Promise<void> {
  for (const setup of ctx.opts.setups) {
    const why = setup === 'pinned' ? cannotPin() : undefined;
    if (why) ctx.check(`${S}, pinned`, 'the pinned setup can run', false, why);
    else await runSetup(ctx, setup);
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
  const [serverCpu, loadCpu] = setup === 'pinned' ? ['0', '1'] : [undefined, undefined];
  const prefixes = [ctx.newPrefix('ingest'), ctx.newPrefix('naive')] as const;
  log(`${S}, ${setup}: starting ingest, bare Koa, naive enqueue and the load generator`);
  const procs: NodeProcess[] = [];
  const meter = new CpuMeter(ctx.redisUrl);
  try {
    const ingest = await ctx.startIngest(`ingest-${setup}`, prefixes[0], serverCpu);
    procs.push(ingest.proc);
    const bare = await ctx.startScript(`bare-koa-${setup}`, 'baselines/bare-koa.ts', {}, serverCpu);
    procs.push(bare.proc);
    const naive = await ctx.startScript(
      `naive-enqueue-${setup}`,
      'baselines/naive-enqueue.ts',
      { QUEUE_PREFIX: prefixes[1] },
      serverCpu,
    );
    procs.push(naive.proc);
    const loadgen = (await ctx.startScript(`loadgen-${setup}`, 'loadgen.ts', {}, loadCpu)).proc;
    procs.push(loadgen);
    const sides: Side[] = [
      { target: ingest, prefix: prefixes[0], runs: [] },
      { target: bare, runs: [] },
      { target: naive, prefix: prefixes[1], runs: [] },
    ];
    const load = async (t: Target, seconds: number): Promise<Measured> => {
      const req: LoadRequest = {
        mode: 'closed',
        port: t.port,
        path: CALLBACK_PATH,
        tag: ctx.newTag('tp'),
        sdkAppId: ctx.sdkAppId,
        token: ctx.token,
        connections: o.connections,
        seconds,
      };
      const [server, gen, before] = [t.proc.cpuSeconds(), loadgen.cpuSeconds(), await meter.read()];
      const r = await t.proc.guard(loadgen.request<ClosedResult>(req));
      const us = (seconds: number) => (1e6 * seconds) / r.ok;
      const cpu = {
        server: us(t.proc.cpuSeconds() - server),
        redis: us((await meter.since(before)).redisSeconds),
        loadgen: us(loadgen.cpuSeconds() - gen),
      };
      return { ...r, cpu };
    };
    const warmups = [];
    for (const side of sides) {
      log(`${S}, ${setup}: warm-up ${side.target.name} (${o.warmupSeconds} s)`);
      warmups.push(await load(side.target, o.warmupSeconds));
    }
    for (let r = 1; r <= o.rounds; r++) {
      // every other round in reverse order: a machine that drifts weighs on every side alike
      for (const side of r % 2 ? sides : [...sides].reverse()) {
        const m = await load(side.target, o.roundSeconds);
        side.runs.push(m);
        log(
          `${S}, ${setup}: round ${r}/${o.rounds} ${side.target.name}: ${Math.round(m.rps)} req/s, p50 ${m.p50} ms, ` +
            `p99 ${m.p99} ms, CPU µs/request: server ${m.cpu.server.toFixed(0)}, Redis ${m.cpu.redis.toFixed(0)}, ` +
            `load generator ${m.cpu.loadgen.toFixed(0)}; ${m.bad} not 2xx`,
        );
      }
    }
    for (const [i, side] of sides.entries()) {
      if (side.prefix) await checkEnqueued(ctx, setup, side, [warmups[i]!, ...side.runs]);
    }
    report(ctx, setup, sides);
  } finally {
    meter.close();
    for (const p of procs.reverse()) await ctx.stop(p);
    for (const prefix of prefixes) await ctx.drop({ prefix });
  }
}

/** Every request answered 2xx is a callback in a job; at most the requests sent (some were in flight). */
async function checkEnqueued(ctx: Context, setup: Setup, side: Side, runs: Measured[]): Promise<void> {
  const sum = (f: (r: Measured) => number) => runs.reduce((n, r) => n + f(r), 0);
  const [ok, sent, bad] = [sum((r) => r.ok), sum((r) => r.sent), sum((r) => r.bad)];
  const q = new SyncQueue(ctx.redisUrl, side.prefix!);
  const { callbacks, jobs } = await q.callbacks().finally(() => q.close());
  ctx.check(
    S,
    `${setup}, ${side.target.name}: every OK answer is in a job in Redis`,
    bad === 0 && callbacks >= ok && callbacks <= sent,
    `${ok} answered 2xx, ${callbacks} callbacks in ${jobs} jobs (${(callbacks / jobs).toFixed(1)} per job), ` +
      `${sent} requests sent, ${bad} not 2xx`,
  );
}

function aggregate(runs: readonly Measured[]) {
  const ok = runs.reduce((n, r) => n + r.ok, 0);
  const perRequest = (f: (r: Measured) => number) => runs.reduce((n, r) => n + f(r) * r.ok, 0) / ok;
  const cpu = {
    server: perRequest((r) => r.cpu.server),
    redis: perRequest((r) => r.cpu.redis),
    loadgen: perRequest((r) => r.cpu.loadgen),
  };
  return {
    rps: ok / runs.reduce((n, r) => n + r.seconds, 0),
    p50: [...runs.map((r) => r.p50)].sort((a, b) => a - b)[Math.floor((runs.length - 1) / 2)]!,
    p99: Math.max(...runs.map((r) => r.p99)),
    cpu: { ...cpu, total: cpu.server + cpu.redis + cpu.loadgen },
  };
}

function report(ctx: Context, setup: Setup, sides: readonly Side[]): void {
  const [ingest, bare, naive] = sides.map((s) => aggregate(s.runs)) as [
    ReturnType<typeof aggregate>,
    ReturnType<typeof aggregate>,
    ReturnType<typeof aggregate>,
  ];
  const S2 = `${S}, ${setup}`;
  const note = `${sides[0]!.runs.length} alternating round(s) of ${ctx.opts.roundSeconds} s, ${ctx.opts.connections} connections`;
  ctx.figure(S2, 'ingest requests/s', ingest.rps, 'req/s', { note });
  ctx.figure(S2, 'bare Koa / naive enqueue requests/s', bare.rps, 'req/s', {
    note: `naive enqueue ${Math.round(naive.rps)} req/s`,
  });
  const pinned = setup === 'pinned';
  ctx.figure(
    S2,
    'ingest / bare Koa',
    ingest.rps / bare.rps,
    'x',
    pinned ? { target: { op: '>=', bound: 0.6, text: '≥ 0.6×' } } : {},
  );
  ctx.figure(S2, 'ingest / naive enqueue', ingest.rps / naive.rps, 'x', {
    target: { op: '>=', bound: 1, text: '≥ 1.0×' },
  });
  ctx.figure(S2, 'ingest p99 latency', ingest.p99, 'ms', {
    target: { op: '<=', bound: 25, text: '≤ 25 ms' },
    note: `p50 ${ingest.p50} ms (median of rounds; p99: worst round); bare Koa ${bare.p50} / ${bare.p99}, naive enqueue ${naive.p50} / ${naive.p99}`,
  });
  // the sides share the machine's cores with Redis and the load generator: what a request costs them all
  for (const [name, a] of [
    ['ingest', ingest],
    ['bare Koa', bare],
    ['naive enqueue', naive],
  ] as const) {
    const c = a.cpu;
    ctx.figure(S2, `${name} CPU per request, all processes`, c.total, 'µs', {
      note: `${c.server.toFixed(0)} server + ${c.redis.toFixed(0)} Redis + ${c.loadgen.toFixed(0)} load generator`,
    });
  }
  ctx.details[`throughput-${setup}`] = Object.fromEntries(sides.map((s) => [s.target.name, s.runs]));
}
