import { Redis } from 'ioredis';
import { SYNC_JOB_OPTIONS, SYNC_QUEUE } from '@imsync/callbacks';
import { payload, type NodeProcess } from '@imsync/testing';
import { CALLBACK_PATH, log, type Context } from '../context.js';
import type { LoadRequest, OpenResult } from '../loadgen.js';
import { appliedTimes, probeKey } from '../pg.js';
import { prefixMemory, SyncQueue } from '../queue.js';

const S = 'End to end';
/** The ack latency the sustained rate must keep. */
const ACK_P99_MS = 25;

interface Step {
  readonly rate: number;
  readonly achievedRate: number;
  readonly sent: number;
  readonly ok: number;
  readonly ack: { p50: number; p99: number };
  readonly applied: { p50: number; p99: number };
  readonly missing: number;
  readonly met: boolean;
}

/** Nearest-rank percentile. */
function percentiles(values: number[]): { p50: number; p99: number } {
  const sorted = values.sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
  return { p50: at(50), p99: at(99) };
}

/**
 * The highest rate one machine sustains with ack p99 ≤ 25 ms: ingest and one sync-worker under an
 * open-loop load, the rates of --rates tried in turn (e-seconds each, after the worker has caught up with
 * the step before) until one misses, then once half-way between the last met and the first missed. Each
 * step: ack latency (from when the request was due) and event-to-applied (ingest's answer to the row's
 * updated_at). Then Redis's memory under the default retention.
 */
export async function endToEnd(ctx: Context): Promise<void> {
  const o = ctx.opts;
  const [prefix, schema] = [ctx.newPrefix('e2e'), ctx.newSchema('e2e')];
  log(`${S}: starting the sync-worker, ingest and the open-loop sender`);
  const procs: NodeProcess[] = [];
  try {
    procs.push(await ctx.startSyncWorker('sync-worker-e2e', prefix, schema));
    const ingest = await ctx.startIngest('ingest-e2e', prefix);
    procs.push(ingest.proc);
    const sender = (await ctx.startScript('openloop', 'loadgen.ts')).proc;
    procs.push(sender);
    const guard = <T>(p: Promise<T>) => procs.reduce((g, proc) => proc.guard(g), p);

    const step = async (rate: number, seconds: number): Promise<Step> => {
      const tag = ctx.newTag('ee');
      const req: LoadRequest = {
        mode: 'open',
        port: ingest.port,
        path: CALLBACK_PATH,
        tag,
        sdkAppId: ctx.sdkAppId,
        token: ctx.token,
        connections: o.connections,
        seconds,
        rate,
      };
      const res = await guard(sender.request<OpenResult>(req));
      const ok = res.status.flatMap((s, i) => (s === 200 ? [i] : []));
      const probes = ok.map((i) => payload(tag, i).probe);
      // every accepted callback reaches its row (two minutes at most: the check then counts the missing)
      const deadline = Date.now() + 120_000;
      let times = await appliedTimes(ctx.databaseUrl, schema, probes);
      while (times.size < new Set(probes.map(probeKey)).size && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        times = await guard(appliedTimes(ctx.databaseUrl, schema, probes));
      }
      const applied = ok.flatMap((i) => {
        const t = times.get(probeKey(payload(tag, i).probe));
        return t === undefined ? [] : [t - res.answeredAt[i]!];
      });
      const ack = percentiles(ok.map((i) => res.answeredAt[i]! - res.dueAt[i]!));
      const s: Step = {
        rate,
        achievedRate: res.achievedRate,
        sent: res.status.length,
        ok: ok.length,
        ack,
        applied: percentiles(applied),
        missing: ok.length - applied.length,
        met: ack.p99 <= ACK_P99_MS && ok.length === res.status.length,
      };
      log(
        `${S}: ${rate}/s for ${seconds} s: ack p50 ${s.ack.p50.toFixed(1)} / p99 ${s.ack.p99.toFixed(1)} ms, ` +
          `event-to-applied p50 ${s.applied.p50.toFixed(1)} / p99 ${s.applied.p99.toFixed(1)} ms, ` +
          `${s.ok}/${s.sent} OK: ${s.met ? 'met' : 'missed'}`,
      );
      return s;
    };

    log(`${S}: warm-up, ${o.rates[0]}/s for ${o.warmupSeconds} s`);
    await step(o.rates[0]!, o.warmupSeconds);
    const steps: Step[] = [];
    for (const rate of o.rates) {
      steps.push(await step(rate, o.e2eSeconds));
      if (!steps.at(-1)!.met) break;
    }
    const best = () => steps.filter((s) => s.met).sort((a, b) => b.rate - a.rate)[0];
    const missed = steps.find((s) => !s.met);
    const mid = best() && missed ? Math.round((best()!.rate + missed.rate) / 2 / 250) * 250 : 0;
    if (mid > (best()?.rate ?? Infinity) && mid < missed!.rate) steps.push(await step(mid, o.e2eSeconds));
    report(ctx, steps, best());
    await redisMemory(ctx, prefix, best()?.rate ?? o.rates[0]!);
  } finally {
    for (const p of procs.reverse()) await ctx.stop(p);
    await ctx.drop({ prefix, schema });
  }
}

function report(ctx: Context, steps: Step[], best: Step | undefined): void {
  const o = ctx.opts;
  const tried = steps
    .map((s) => `${s.rate}/s p99 ${s.ack.p99.toFixed(1)} ms ${s.met ? 'met' : 'missed'}`)
    .join(', ');
  ctx.figure(S, `sustained rate with ack p99 ≤ ${ACK_P99_MS} ms`, best?.rate ?? 0, 'callbacks/s', {
    target: { op: '>=', bound: o.rates[0]!, text: `found (≥ ${o.rates[0]}/s)` },
    note: `${o.e2eSeconds} s a rate, ${o.connections} connections: ${tried}`,
  });
  if (best) {
    ctx.figure(S, `at ${best.rate}/s: ack p50 / p99`, best.ack.p50, 'ms', {
      note: `p99 ${best.ack.p99.toFixed(1)} ms, from when each was due`,
    });
    ctx.figure(S, `at ${best.rate}/s: event-to-applied p50 / p99`, best.applied.p50, 'ms', {
      note: `p99 ${best.applied.p99.toFixed(1)} ms, from ingest's answer to the row's updated_at`,
    });
  }
  const missing = steps.reduce((n, s) => n + s.missing, 0);
  const ok = steps.reduce((n, s) => n + s.ok, 0);
  ctx.check(S, 'every accepted callback reached its row', missing === 0, `${ok - missing}/${ok} rows found`);
  ctx.details.endToEnd = steps;
}

/**
 * Redis after the run: the run's keys (jobs kept by retention, dedupe marks), the ceiling under the
 * default retention at `rate`, and every dedupe mark must expire.
 */
async function redisMemory(ctx: Context, prefix: string, rate: number): Promise<void> {
  const redis = new Redis(ctx.redisUrl, { maxRetriesPerRequest: null });
  const q = new SyncQueue(ctx.redisUrl, prefix);
  try {
    const all = await prefixMemory(redis, prefix);
    const marks = await prefixMemory(redis, `${prefix}:${SYNC_QUEUE}:de`);
    const kept = await q.callbacks();
    let [windowMs, unbounded, cursor] = [0, 0, '0'];
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:${SYNC_QUEUE}:de:*`, 'COUNT', 1000);
      cursor = next;
      const pipe = redis.pipeline();
      for (const k of keys) pipe.pttl(k);
      for (const [, ttl] of (await pipe.exec()) ?? []) {
        if (typeof ttl !== 'number' || ttl < 0) unbounded++;
        else windowMs = Math.max(windowMs, ttl);
      }
    } while (cursor !== '0');
    const keep = SYNC_JOB_OPTIONS.removeOnComplete as { count?: number; age?: number };
    const perCallback = (all.bytes - marks.bytes) / Math.max(1, kept.callbacks);
    const perMark = marks.keys ? marks.bytes / marks.keys : 0;
    const windowS = Math.round(windowMs / 1000);
    // completed jobs of one callback (≤ count) plus completed batches (≤ count, of several callbacks
    // each, each cheaper than a job of its own): ≤ 2 × count callbacks kept
    const ceiling = perCallback * 2 * (keep.count ?? 0) + perMark * rate * windowS;
    ctx.figure('Memory', 'Redis memory of the run after end to end', all.bytes, 'B', {
      note: `${all.keys} keys: ${kept.callbacks} callbacks in ${kept.jobs} jobs kept (${Math.round(perCallback)} B a callback), ${marks.keys} dedupe marks (${Math.round(perMark)} B each)`,
    });
    ctx.figure('Memory', `Redis ceiling at ${rate}/s under retention`, ceiling, 'B', {
      note: `≤ ${keep.count} completed jobs of one callback and as many batches (age ${keep.age} s) + ${windowS} s of dedupe marks`,
    });
    const used = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? NaN);
    ctx.figure('Memory', 'Redis used_memory (whole server)', used, 'B', {
      note: 'shared with whatever else uses this Redis',
    });
    ctx.check(
      'Memory',
      'Redis keys are bounded by retention',
      unbounded === 0,
      `${unbounded} dedupe marks without a TTL`,
    );
  } finally {
    await q.close();
    redis.disconnect();
  }
}
