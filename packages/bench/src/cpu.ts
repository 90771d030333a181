import { readdirSync, readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { statCpuSeconds, type NodeProcess } from '@imsync/testing';
import { sum, type Context } from './context.js';

/** A process of the bench, Redis (INFO cpu) or every `postgres` process of the machine (/proc). */
type Source = NodeProcess | 'redis' | 'postgres';

/** CPU seconds so far, by process (PostgreSQL's backends by pid). */
async function cpuSeconds(redis: Redis, source: Source): Promise<Map<number, number>> {
  if (source === 'redis') {
    const info = await redis.info('cpu');
    const field = (k: string) => Number(new RegExp(`^${k}:([0-9.]+)`, 'm').exec(info)?.[1] ?? NaN);
    return new Map([[0, field('used_cpu_sys') + field('used_cpu_user')]]);
  }
  if (source !== 'postgres') return new Map([[0, source.cpuSeconds()]]);
  const postgres = new Map<number, number>();
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === 'postgres')
        postgres.set(Number(pid), statCpuSeconds(stat));
    } catch {
      // gone meanwhile
    }
  }
  return postgres;
}

/**
 * Runs `fn` and says how many CPU seconds each source used meanwhile, by label. Redis and PostgreSQL
 * share the cores with the measured process: a side that answers fast by making them work harder would
 * otherwise look cheaper than it is. A backend born meanwhile counts whole; one that ends takes its time
 * with it, so `fn` must end while the measured process still holds its connections.
 */
export async function measureCpu<T>(redis: Redis, sources: Record<string, Source>, fn: () => Promise<T>) {
  const read = () => Promise.all(Object.values(sources).map((s) => cpuSeconds(redis, s)));
  const before = await read();
  const result = await fn();
  const used = (await read()).map((now, i) => sum([...now], ([k, s]) => s - (before[i]!.get(k) ?? 0)));
  return { result, cpu: Object.fromEntries(Object.keys(sources).map((k, i) => [k, used[i]!])) };
}

type Run = { readonly cpu: Readonly<Record<string, number>> };

/** The figure of CPU µs per item of every process involved (`cpu`: seconds by process), each in the note. */
export function cpuFigure(ctx: Context, scenario: string, metric: string, runs: Run[], items: number): void {
  const names = Object.keys(runs[0]?.cpu ?? {});
  const us = names.map((k) => [k, (1e6 * sum(runs, (r) => r.cpu[k]!)) / items] as const);
  const [total, note] = [sum(us, ([, v]) => v), us.map(([k, v]) => `${v.toFixed(0)} ${k}`).join(' + ')];
  ctx.figure(scenario, metric, total, 'µs', { note });
}
