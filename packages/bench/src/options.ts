export const SCENARIOS = ['throughput', 'drain', 'e2e', 'backlog'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface BenchOptions {
  readonly quick: boolean;
  /** Also profile ingest under the throughput load (an extra, unmeasured run). */
  readonly profile: boolean;
  /** Exit 1 when a target is missed (a failed check or a crash always exits 1). */
  readonly strict: boolean;
  readonly scenarios: ReadonlySet<Scenario>;
  readonly connections: number;
  readonly warmupSeconds: number;
  /** Measured seconds of each side in each round. */
  readonly roundSeconds: number;
  readonly rounds: number;
  readonly drainJobs: number;
  readonly drainRounds: number;
  /** Callbacks per job in the batched drain (as ingest makes them under load). */
  readonly drainBatch: number;
  readonly concurrency: number;
  readonly e2eRate: number;
  readonly e2eSeconds: number;
  /** Callbacks waiting, in batch jobs, when the sync-worker of the backlog scenario starts. */
  readonly backlogCallbacks: number;
  readonly backlogSeconds: number;
}

const USAGE = `npm run bench [-- options]
  --quick              short run (3 s a side, 3,000 drain jobs, 5 s end to end)
  --profile            also profile ingest under the throughput load (node --cpu-prof), summarised
  --only=a,b           scenarios to run: ${SCENARIOS.join(', ')} (default: all)
  --rounds=N           alternating throughput rounds (default 2; quick 1)
  --seconds=S          measured seconds per side per round (default 10; quick 3)
  --jobs=N             drain jobs per side (default 20000; quick 3000)
  --drain-rounds=N     alternating drain rounds (default 2; quick 1)
  --batch=B            callbacks per job in the batched drain (default 16, about what ingest makes under
                       the throughput load)
  --concurrency=N      WORKER_CONCURRENCY of both drain sides and the end-to-end worker (default 256, the worker's)
  --rate=R --e2e-seconds=S   end-to-end open-loop rate and length (default 1000/s for 20 s; quick 5 s)
  --backlog=N --backlog-seconds=S   the worker's peak RSS starting on N callbacks waiting in batches of 64,
                       over its first S seconds (default 1,000,000 and 30 s; quick 100,000 and 10 s)
  --strict             exit 1 when a target is missed`;

export function parseOptions(argv: readonly string[]): BenchOptions {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unknown argument ${arg}\n${USAGE}`);
    flags.set(m[1]!, m[2] ?? 'true');
  }
  const known = [
    'quick',
    'profile',
    'strict',
    'only',
    'rounds',
    'seconds',
    'jobs',
    'drain-rounds',
    'batch',
    'rate',
    'e2e-seconds',
    'connections',
    'concurrency',
    'backlog',
    'backlog-seconds',
    'help',
  ];
  for (const k of flags.keys()) if (!known.includes(k)) throw new Error(`unknown option --${k}\n${USAGE}`);
  if (flags.has('help')) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const quick = flags.has('quick');
  const num = (name: string, full: number, short: number): number => {
    const raw = flags.get(name);
    if (raw === undefined) return quick ? short : full;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name}: "${raw}" is not a positive number`);
    return n;
  };
  const only = flags.get('only');
  const scenarios = new Set<Scenario>();
  for (const s of only ? only.split(',') : SCENARIOS) {
    if (!(SCENARIOS as readonly string[]).includes(s))
      throw new Error(`--only: unknown scenario ${s} (${SCENARIOS.join(', ')})`);
    scenarios.add(s as Scenario);
  }
  return Object.freeze({
    quick,
    profile: flags.has('profile'),
    strict: flags.has('strict'),
    scenarios,
    connections: num('connections', 64, 64),
    warmupSeconds: quick ? 2 : 3,
    roundSeconds: num('seconds', 10, 3),
    rounds: Math.round(num('rounds', 2, 1)),
    drainJobs: Math.round(num('jobs', 20_000, 3000)),
    drainRounds: Math.round(num('drain-rounds', 2, 1)),
    drainBatch: Math.round(num('batch', 16, 16)),
    concurrency: Math.round(num('concurrency', 256, 256)), // the worker's default WORKER_CONCURRENCY
    e2eRate: num('rate', 1000, 1000),
    e2eSeconds: num('e2e-seconds', 20, 5),
    backlogCallbacks: Math.round(num('backlog', 1_000_000, 100_000)),
    backlogSeconds: num('backlog-seconds', 30, 10),
  });
}
