import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

export const SCENARIOS = ['throughput', 'drain', 'e2e', 'backlog'] as const;
export type Scenario = (typeof SCENARIOS)[number];
export const SETUPS = ['unpinned', 'pinned'] as const;
export type Setup = (typeof SETUPS)[number];

export const USAGE = `npm run bench [-- options]
  --quick              a smoke run of about 2 minutes (its figures are not the bench's)
  --only=a,b           scenarios: ${SCENARIOS.join(', ')} (default: all)
  --setups=a,b         throughput setups: unpinned, pinned (each server on core 0 and the load
                       generator on core 1, with taskset) (default: both)
  --rounds=N           alternating throughput rounds (default 2; quick 1)
  --seconds=S          measured seconds per side per round (default 10; quick 3)
  --connections=N      load generator connections (default 64)
  --jobs=N             callbacks drained per side (default 20000; quick 3000)
  --drain-rounds=N     alternating drain rounds (default 2; quick 1)
  --batch=B            callbacks per job in the batched drain (default 16)
  --concurrency=N      WORKER_CONCURRENCY of every worker (default 256, the sync-worker's)
  --rates=a,b,…        end-to-end rates tried, ascending, callbacks/s (default 1000,2000,…,8000;
                       quick 1000,3000,5000)
  --e2e-seconds=S      seconds at each rate (default 10; quick 3)
  --backlog=N          callbacks waiting when the backlog scenario's worker starts (default 1000000;
                       quick 100000)
  --backlog-seconds=S  how long the backlog scenario's worker runs (default 30; quick 10)
  --before=DIR         another imsync checkout, built (npm ci && npm run build): the drain also runs
                       its sync-worker, the throughput its ingest, and end to end both, beside this
                       tree's, for a before/after comparison
  --profile            ingest and the sync-worker write --cpu-prof files into bench-results/
  --strict             exit 1 when a target is missed`;

export type BenchOptions = ReturnType<typeof parseOptions>;

const FLAGS = ['quick', 'profile', 'strict', 'help'];
const VALUED = (
  'only setups rounds seconds connections jobs drain-rounds batch concurrency rates e2e-seconds backlog ' +
  'backlog-seconds before'
).split(' ');

/** The command line, as `node:util` parseArgs reads it; a bad value throws, naming the option. */
export function parseOptions(args: readonly string[]) {
  const options = Object.fromEntries([
    ...FLAGS.map((name) => [name, { type: 'boolean' as const }]),
    ...VALUED.map((name) => [name, { type: 'string' as const }]),
  ]);
  const v: Record<string, unknown> = parseArgs({ args: [...args], strict: true, options }).values;
  const quick = v.quick === true;
  const num = (name: string, full: number, short = full): number => {
    const raw = v[name];
    if (typeof raw !== 'string') return quick ? short : full;
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name}: "${raw}" is not a positive integer`);
    return n;
  };
  const list = <T extends string>(name: string, all: readonly T[]): ReadonlySet<T> => {
    const raw = v[name];
    const items = typeof raw === 'string' ? raw.split(',') : all;
    for (const s of items)
      if (!(all as readonly string[]).includes(s)) throw new Error(`--${name}: ${s} is not one of ${all}`);
    return new Set(items as T[]);
  };
  const defaultRates = quick ? [1000, 3000, 5000] : [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000];
  const rates = typeof v.rates === 'string' ? v.rates.split(',').map(Number) : defaultRates;
  if (rates.some((r, i) => !(r > 0) || (i > 0 && r <= rates[i - 1]!)))
    throw new Error(`--rates: "${String(v.rates)}" is not a list of ascending positive rates`);
  return Object.freeze({
    help: v.help === true,
    quick,
    profile: v.profile === true,
    strict: v.strict === true,
    scenarios: list<Scenario>('only', SCENARIOS),
    setups: list<Setup>('setups', SETUPS),
    warmupSeconds: quick ? 2 : 3,
    rounds: num('rounds', 2, 1),
    roundSeconds: num('seconds', 10, 3),
    connections: num('connections', 64),
    drainJobs: num('jobs', 20_000, 3000),
    drainRounds: num('drain-rounds', 2, 1),
    drainBatch: num('batch', 16),
    concurrency: num('concurrency', 256),
    rates,
    e2eSeconds: num('e2e-seconds', 10, 3),
    backlogCallbacks: num('backlog', 1_000_000, 100_000),
    backlogSeconds: num('backlog-seconds', 30, 10),
    before: typeof v.before === 'string' ? resolve(v.before) : undefined,
  });
}
