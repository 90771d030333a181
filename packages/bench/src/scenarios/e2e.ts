import { setTimeout as sleep } from 'node:timers/promises';
import { SYNC_JOB_OPTIONS, SYNC_QUEUE } from '@imsync/callbacks';
import {
  keyStats,
  payload,
  probeKey,
  probeTimes,
  type NodeProcess,
  type OpenLoopResult,
} from '@imsync/testing';
import { log, sum, type Context } from '../context.js';
import type { LoadRequest } from '../loadgen.js';

const S = 'End to end';
/** The ack latency the sustained rate must keep. */
const ACK_P99_MS = 25;

/** Nearest-rank percentiles. */
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
  await ctx.scoped(async () => {
    const { prefix, steps, best } = await search(ctx, false);
    report(ctx, steps, best);
    await redisMemory(ctx, prefix, best?.rate ?? ctx.opts.rates[0]!);
  });
  if (!ctx.opts.before) return;
  await ctx.scoped(async () => {
    const { steps, best } = await search(ctx, true);
    const tried = steps.map((s) => `${s.rate}/s p99 ${s.ack.p99.toFixed(1)} ms`).join(', ');
    ctx.figure(S, `sustained rate with ack p99 ≤ ${ACK_P99_MS} ms, before`, best?.rate ?? 0, 'callbacks/s', {
      note: `the --before checkout's ingest and sync-worker: ${tried}`,
    });
    const [missing, ok] = [sum(steps, (s) => s.missing), sum(steps, (s) => s.ok)];
    const detail = `${ok - missing}/${ok} rows found`;
    ctx.check(S, 'before: every accepted callback reached its row', missing === 0, detail);
  });
}

/** The rates tried on one stack (this tree's, or the `--before` checkout's), and the highest met. */
async function search(ctx: Context, before: boolean) {
  const o = ctx.opts;
  const [prefix, schema] = [ctx.prefix('e2e'), ctx.schema('e2e')];
  const which = before ? ' (before)' : '';
  log(`${S}${which}: starting the sync-worker, ingest and the open-loop sender`);
  await ctx.syncWorker(`sync-worker-e2e${before ? '-before' : ''}`, prefix, schema, before);
  const ingest = await ctx.start(`ingest-e2e${before ? '-before' : ''}`, 'ingest', {
    env: { QUEUE_PREFIX: prefix },
    before,
  });
  const sender = (await ctx.start(`openloop${before ? '-before' : ''}`, 'loadgen.ts')).proc;
  const run = (rate: number, seconds: number) =>
    step(ctx, { sender, port: ingest.port, schema }, rate, seconds);
  log(`${S}${which}: warm-up, ${o.rates[0]}/s for ${o.warmupSeconds} s`);
  await run(o.rates[0]!, o.warmupSeconds);
  const steps: Step[] = [];
  for (const rate of o.rates) {
    steps.push(await run(rate, o.e2eSeconds));
    if (!steps.at(-1)!.met) break;
  }
  const best = () => steps.filter((s) => s.met).sort((a, b) => b.rate - a.rate)[0];
  const missed = steps.find((s) => !s.met);
  const mid = best() && missed ? Math.round((best()!.rate + missed.rate) / 2 / 250) * 250 : 0;
  if (mid > (best()?.rate ?? Infinity) && mid < missed!.rate) steps.push(await run(mid, o.e2eSeconds));
  return { prefix, steps, best: best() };
}

type Step = Awaited<ReturnType<typeof step>>;

/** One rate for some seconds: the ack latency, and when every accepted callback reached its row. */
async function step(
  ctx: Context,
  stack: { sender: NodeProcess; port: number; schema: string },
  rate: number,
  seconds: number,
) {
  const tag = ctx.newTag('ee');
  const req: LoadRequest = { mode: 'open', port: stack.port, tag, seconds, rate };
  const { status, dueAt, answeredAt, achievedRate } = await ctx.guard(
    stack.sender.request<OpenLoopResult>(req),
  );
  const ok = status.flatMap((s, i) => (s === 200 ? [i] : []));
  const probes = ok.map((i) => payload(tag, i).probe);
  // two minutes at most: the check then counts the missing
  const deadline = Date.now() + 120_000;
  let times = await probeTimes(stack.schema, probes, ctx.databaseUrl);
  while (times.size < new Set(probes.map(probeKey)).size && Date.now() < deadline) {
    await sleep(250);
    times = await ctx.guard(probeTimes(stack.schema, probes, ctx.databaseUrl));
  }
  const applied = ok.flatMap((i, k) => {
    const t = times.get(probeKey(probes[k]!));
    return t === undefined ? [] : [t - answeredAt[i]!];
  });
  const ack = percentiles(ok.map((i) => answeredAt[i]! - dueAt[i]!));
  const met = ack.p99 <= ACK_P99_MS && ok.length === status.length;
  const [sent, missing] = [status.length, ok.length - applied.length];
  const s = { rate, achievedRate, sent, ok: ok.length, ack, applied: percentiles(applied), missing, met };
  log(
    `${S}: ${rate}/s for ${seconds} s: ack p50 ${ack.p50.toFixed(1)} / p99 ${ack.p99.toFixed(1)} ms, ` +
      `event-to-applied p50 ${s.applied.p50.toFixed(1)} / p99 ${s.applied.p99.toFixed(1)} ms, ` +
      `${s.ok}/${s.sent} OK: ${met ? 'met' : 'missed'}`,
  );
  return s;
}

function report(ctx: Context, steps: Step[], best: Step | undefined): void {
  const o = ctx.opts;
  const tried = steps.map((s) => `${s.rate}/s p99 ${s.ack.p99.toFixed(1)} ms ${s.met ? 'met' : 'missed'}`);
  ctx.figure(S, `sustained rate with ack p99 ≤ ${ACK_P99_MS} ms`, best?.rate ?? 0, 'callbacks/s', {
    target: { op: '>=', bound: o.rates[0]!, text: `found (≥ ${o.rates[0]}/s)` },
    note: `${o.e2eSeconds} s a rate, ${o.connections} connections: ${tried.join(', ')}`,
  });
  if (best) {
    ctx.figure(S, `at ${best.rate}/s: ack p50 / p99`, best.ack.p50, 'ms', {
      note: `p99 ${best.ack.p99.toFixed(1)} ms, from when each was due`,
    });
    ctx.figure(S, `at ${best.rate}/s: event-to-applied p50 / p99`, best.applied.p50, 'ms', {
      note: `p99 ${best.applied.p99.toFixed(1)} ms, from ingest's answer to the row's updated_at`,
    });
  }
  const [missing, ok] = [sum(steps, (s) => s.missing), sum(steps, (s) => s.ok)];
  ctx.check(S, 'every accepted callback reached its row', missing === 0, `${ok - missing}/${ok} rows found`);
  ctx.details.endToEnd = steps;
}

/**
 * Redis after the run: the run's keys (jobs kept by retention, dedupe marks), the ceiling under the
 * default retention at `rate`, and every dedupe mark must expire.
 */
async function redisMemory(ctx: Context, prefix: string, rate: number): Promise<void> {
  const all = await keyStats(ctx.redis, `${prefix}:*`);
  const marks = await keyStats(ctx.redis, `${prefix}:${SYNC_QUEUE}:de:*`);
  const kept = await ctx.queue(prefix).callbacks();
  const keep = SYNC_JOB_OPTIONS.removeOnComplete as { count?: number; age?: number };
  const perCallback = (all.bytes - marks.bytes) / Math.max(1, kept.callbacks);
  const perMark = marks.keys ? marks.bytes / marks.keys : 0;
  const windowS = Math.round(marks.maxTtlMs / 1000);
  // completed jobs of one callback (≤ count) plus completed batches (≤ count, of several callbacks
  // each, each cheaper than a job of its own): ≤ 2 × count callbacks kept
  const ceiling = perCallback * 2 * (keep.count ?? 0) + perMark * rate * windowS;
  ctx.figure('Memory', 'Redis memory of the run after end to end', all.bytes, 'B', {
    note: `${all.keys} keys: ${kept.callbacks} callbacks in ${kept.jobs} jobs kept (${Math.round(perCallback)} B a callback), ${marks.keys} dedupe marks (${Math.round(perMark)} B each)`,
  });
  ctx.figure('Memory', `Redis ceiling at ${rate}/s under retention`, ceiling, 'B', {
    note: `≤ ${keep.count} completed jobs of one callback and as many batches (age ${keep.age} s) + ${windowS} s of dedupe marks`,
  });
  const used = Number(/used_memory:(\d+)/.exec(await ctx.redis.info('memory'))?.[1] ?? NaN);
  ctx.figure('Memory', 'Redis used_memory (whole server)', used, 'B', {
    note: 'shared with whatever else uses this Redis',
  });
  const unbounded = `${marks.withoutTtl} dedupe marks without a TTL`;
  ctx.check('Memory', 'Redis keys are bounded by retention', marks.withoutTtl === 0, unbounded);
}
