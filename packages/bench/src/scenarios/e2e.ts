import { SYNC_JOB_OPTIONS, SYNC_QUEUE } from '@imsync/callbacks';
import { log, type Context } from '../context.js';
import type { OpenLoopRequest, OpenLoopResult } from '../openloop.js';
import { payload, type Probe } from '@imsync/testing';
import { appliedTimes, probeKey } from '../pg.js';
import { firstMessage, guard, request, type Child } from '../proc.js';
import { prefixMemory, SyncQueue, usedMemory } from '../redis.js';
import type { Results } from '../results.js';
import { startIngest, startSyncWorker, tsChild } from '../services.js';
import { summarize } from '../stats.js';

const S = 'End to end';

/**
 * An open-loop load (rate/s for N s) through ingest and one sync-worker: ack latency, and the time from
 * ingest's answer to the moment the event's row was written. Then Redis memory under the default
 * retention.
 */
export async function endToEnd(ctx: Context, results: Results): Promise<void> {
  const o = ctx.opts;
  const prefix = ctx.newPrefix('e2e');
  const schema = ctx.newSchema('e2e');
  const tag = ctx.newTag('ee');
  log(`${S}: starting sync-worker, ingest and the open-loop sender`);
  const children: Child[] = [];
  let worker: Child | undefined;
  let ingestChild: Child | undefined;
  try {
    worker = await startSyncWorker(ctx, { prefix, schema, name: 'sync-worker-e2e' });
    children.push(worker);
    const ingest = await startIngest(ctx, { prefix, name: 'ingest-e2e' });
    ingestChild = ingest.child;
    children.push(ingest.child);
    const sender = tsChild('openloop', 'openloop.ts', ctx);
    children.push(sender);
    await firstMessage(sender);

    const send = (seriesTag: string, seconds: number) => {
      const req: OpenLoopRequest = {
        host: ingest.host,
        port: ingest.port,
        spec: { tag: seriesTag, sdkAppId: ctx.sdkAppId, token: ctx.token, path: ingest.path },
        rate: o.e2eRate,
        seconds,
        connections: o.connections,
      };
      return guard(children, request<OpenLoopResult>(sender, req));
    };
    // warm-up at the same rate (not measured), and let the worker catch up before the measured run
    log(`${S}: warm-up, ${o.e2eRate} callbacks/s for ${o.warmupSeconds} s`);
    const warmTag = ctx.newTag('ew');
    const warm = await send(warmTag, o.warmupSeconds);
    const warmOk = warm.status.flatMap((s, i) => (s === 200 ? [payload(warmTag, i).probe] : []));
    await guard(children, waitApplied(ctx, schema, warmOk));
    log(`${S}: ${o.e2eRate} callbacks/s for ${o.e2eSeconds} s`);
    const res = await send(tag, o.e2eSeconds);
    const ok = res.status.flatMap((s, i) => (s === 200 ? [i] : []));
    await guard(
      children,
      waitApplied(
        ctx,
        schema,
        ok.map((i) => payload(tag, i).probe),
      ),
    );

    const times = await appliedTimes(
      ctx.databaseUrl,
      schema,
      ok.map((i) => payload(tag, i).probe),
    );
    const ack = ok.map((i) => res.answeredAt[i]! - res.dueAt[i]!);
    const applied: number[] = [];
    let missing = 0;
    for (const i of ok) {
      const t = times.get(probeKey(payload(tag, i).probe));
      if (t === undefined) missing++;
      else applied.push(t - res.answeredAt[i]!);
    }
    report(results, o.connections, res, ack, applied, missing, ok.length);
    await redisMemory(ctx, results, prefix);
  } finally {
    for (const c of [...children].reverse()) await c.stop();
    if (ingestChild) results.rss('ingest', ingestChild);
    if (worker) results.rss('sync-worker', worker);
    await ctx.dropPrefix(prefix);
    await ctx.dropSchema(schema);
  }
}

/**
 * Waits until every accepted callback's row is in PostgreSQL (retention may already have removed the jobs
 * that carried them), or gives up after two minutes: the check then reports the rows that are missing.
 */
async function waitApplied(ctx: Context, schema: string, probes: readonly Probe[]): Promise<void> {
  const want = new Set(probes.map(probeKey)).size;
  const deadline = Date.now() + 120_000;
  while ((await appliedTimes(ctx.databaseUrl, schema, probes)).size < want && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
  }
}

function report(
  results: Results,
  connections: number,
  res: OpenLoopResult,
  ack: number[],
  applied: number[],
  missing: number,
  ok: number,
): void {
  const total = res.status.length;
  const a = summarize(ack);
  const e = summarize(applied);
  const note =
    `${total} sent at ${Math.round(res.achievedRate)}/s over ${connections} connections, latency from when each was due ` +
    `(sender at most ${res.maxLagMs.toFixed(1)} ms late)`;
  results.figure({ scenario: S, metric: 'ack latency p50', value: a.p50, unit: 'ms', note });
  results.figure({
    scenario: S,
    metric: 'ack latency p99',
    value: a.p99,
    unit: 'ms',
    target: { op: '<=', bound: 25, text: '≤ 25 ms' },
  });
  results.figure({
    scenario: S,
    metric: 'event-to-applied p50',
    value: e.p50,
    unit: 'ms',
    note: "from the sender's receipt of the answer to the row's updated_at",
  });
  results.figure({
    scenario: S,
    metric: 'event-to-applied p99',
    value: e.p99,
    unit: 'ms',
    target: { op: '<=', bound: 250, text: '≤ 250 ms' },
  });
  const statuses = new Map<number, number>();
  for (const s of res.status) statuses.set(s, (statuses.get(s) ?? 0) + 1);
  const other = total - ok;
  results.check(
    S,
    'every callback answered OK',
    other === 0,
    `${ok}/${total} answered 200; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
  );
  results.check(S, 'every accepted event reached its row', missing === 0, `${ok - missing}/${ok} rows found`);
  results.details.endToEnd = {
    sent: total,
    ok,
    achievedRate: res.achievedRate,
    maxLagMs: res.maxLagMs,
    ack: a,
    eventToApplied: e,
    ackBySecond: bySecond(res, ack),
  };
}

/** Ack latency p50/p99 per second of the run (shows a warm-up or a growing backlog). */
function bySecond(
  res: OpenLoopResult,
  ack: readonly number[],
): { second: number; p50: number; p99: number }[] {
  const t0 = res.dueAt[0] ?? 0;
  const buckets: number[][] = [];
  let k = 0;
  res.status.forEach((s, i) => {
    if (s !== 200) return;
    const b = Math.floor((res.dueAt[i]! - t0) / 1000);
    (buckets[b] ??= []).push(ack[k++]!);
  });
  return buckets.map((v, second) => {
    const x = summarize(v);
    return { second, p50: Math.round(x.p50 * 10) / 10, p99: Math.round(x.p99 * 10) / 10 };
  });
}

/**
 * Redis memory after the run: the run's keys (jobs kept by retention, dedupe marks) and the whole server.
 * `callbacks` is how many the kept jobs hold.
 */
async function redisMemory(ctx: Context, results: Results, prefix: string): Promise<void> {
  const mem = await prefixMemory(ctx.redisUrl, prefix);
  const dedupe = await prefixMemory(ctx.redisUrl, `${prefix}:${SYNC_QUEUE}:de`);
  const total = await usedMemory(ctx.redisUrl);
  const q = new SyncQueue(ctx.redisUrl, prefix);
  let windowMs = NaN;
  let unbounded = 0;
  let kept = { callbacks: 0, jobs: 0 };
  try {
    kept = await q.callbacks(); // what retention kept
    // every dedupe mark must expire (its TTL is the window)
    let cursor = '0';
    do {
      const [next, keys] = await q.redis.scan(cursor, 'MATCH', `${prefix}:${SYNC_QUEUE}:de:*`, 'COUNT', 1000);
      cursor = next;
      const pipe = q.redis.pipeline();
      for (const k of keys) pipe.pttl(k);
      for (const [, ttl] of (await pipe.exec()) ?? []) {
        if (typeof ttl !== 'number' || ttl < 0) unbounded++;
        else windowMs = Number.isNaN(windowMs) ? ttl : Math.max(windowMs, ttl);
      }
    } while (cursor !== '0');
  } finally {
    await q.close();
  }
  const keep = SYNC_JOB_OPTIONS.removeOnComplete as { count?: number; age?: number };
  const perJob = (mem.bytes - dedupe.bytes) / Math.max(1, kept.callbacks); // per callback kept
  const perMark = dedupe.keys ? dedupe.bytes / dedupe.keys : 0;
  const windowS = Math.round(windowMs / 1000);
  const ceiling =
    // completed jobs of one callback (≤ count) plus completed batches (≤ count / INGEST_BATCH_MAX, of ≤
    // INGEST_BATCH_MAX callbacks each, each cheaper than a job of its own): ≤ 2 × count callbacks
    perJob * 2 * (keep.count ?? 0) + perMark * ctx.opts.e2eRate * (Number.isNaN(windowS) ? 0 : windowS);
  results.figure({
    scenario: 'Memory',
    metric: 'Redis memory of the run after end to end',
    value: mem.bytes,
    unit: 'B',
    note: `${mem.keys} keys: ${kept.callbacks} callbacks in ${kept.jobs} completed jobs kept (${Math.round(perJob)} B a callback), ${dedupe.keys} dedupe marks (${Math.round(perMark)} B each)`,
  });
  results.figure({
    scenario: 'Memory',
    metric: `Redis ceiling at ${ctx.opts.e2eRate}/s under retention`,
    value: ceiling,
    unit: 'B',
    note: `≤ ${keep.count} completed jobs of one callback and as many callbacks in completed batches (age ${keep.age} s) + ${windowS} s of dedupe marks`,
  });
  results.figure({
    scenario: 'Memory',
    metric: 'Redis used_memory (whole server)',
    value: total,
    unit: 'B',
    note: 'shared with whatever else uses this Redis',
  });
  results.check(
    'Memory',
    'Redis keys are bounded by retention',
    unbounded === 0,
    `${unbounded} dedupe marks without a TTL; completed jobs capped at ${keep.count}`,
  );
}
