import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import {
  Cleanup,
  freePort,
  startProcess,
  startService,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  type NodeProcess,
  type Service,
} from '@imsync/testing';
import type { BenchOptions } from './options.js';
import { SyncQueue } from './queue.js';

/** packages/bench */
const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
/** PostgreSQL connections of every worker that writes (the sync-worker's default PG_POOL_SIZE). */
const POOL_SIZE = '4';

/** A figure of the report, held to a target of the issue when it has one. */
export interface Figure {
  readonly scenario: string;
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  readonly target?: { readonly op: '>=' | '<='; readonly bound: number; readonly text: string };
  readonly note?: string;
}

/** A correctness check made after a scenario (every OK answer is in Redis, every event in the stores…). */
export interface Check {
  readonly scenario: string;
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** A process of the bench, and the port it listens on if it does. */
export interface Target {
  readonly name: string;
  readonly proc: NodeProcess;
  readonly port: number;
}

interface StartOptions {
  readonly env?: Readonly<Record<string, string>>;
  /** Pinned to these cores (taskset). */
  readonly cpus?: string;
  /** The `--before` checkout's service instead of this tree's. */
  readonly before?: boolean;
}

export function log(message: string): void {
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

export const sum = <T>(items: readonly T[], f: (item: T) => number): number =>
  items.reduce((n, item) => n + f(item), 0);

/** Runs each side once a round, every other round in reverse: a machine that drifts weighs on all alike. */
export async function alternate<T>(rounds: number, sides: T[], run: (side: T, r: number) => Promise<void>) {
  for (let r = 1; r <= rounds; r++) for (const side of r % 2 ? sides : sides.toReversed()) await run(side, r);
}

/**
 * What the scenarios share: options, where things go, what they found, and what they started and made.
 * A scenario's processes, queue prefixes, schemas and queues are stopped and removed, the latest first,
 * when the `scoped` call that made them ends.
 */
export class Context {
  readonly redisUrl = TEST_REDIS_URL;
  readonly databaseUrl = TEST_DATABASE_URL;
  /** The bench's own connection: its queues, INFO, CONFIG, MEMORY USAGE. */
  readonly redis = new Redis(this.redisUrl, { maxRetriesPerRequest: null });
  readonly sdkAppId = 1400000001;
  /** Signatures are checked, as in production. */
  readonly token = 'bench-token-0123456789';
  readonly startedAt = new Date();
  readonly loadAtStart = loadavg()[0]!;
  readonly runId = this.startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  readonly outDir = `${REPO_ROOT}bench-results`;
  readonly logDir = `${this.outDir}/logs/${this.runId}`;
  readonly profileDir = `${this.outDir}/profiles-${this.runId}`;
  redisPersistence = 'unknown';
  readonly figures: Figure[] = [];
  readonly checks: Check[] = [];
  readonly details: Record<string, unknown> = {};
  /** Every process the run started. */
  readonly processes: NodeProcess[] = [];
  /** Each open `scoped` call's clean-up, the innermost last. */
  private readonly cleanups: Cleanup[] = [];
  private seq = 0;

  constructor(readonly opts: BenchOptions) {
    mkdirSync(this.logDir, { recursive: true });
  }

  figure(scenario: string, metric: string, value: number, unit: string, more: Partial<Figure> = {}): void {
    this.figures.push({ scenario, metric, value, unit, ...more });
  }

  check(scenario: string, name: string, ok: boolean, detail: string): void {
    this.checks.push({ scenario, name, ok, detail });
  }

  /** A payload series name no other series of this run uses: every callback of a run is distinct. */
  newTag(label: string): string {
    return `${label}${this.runId.replace('-', '')}s${++this.seq}`;
  }

  async scoped<T>(fn: () => Promise<T>): Promise<T> {
    const cleanup = new Cleanup({ redis: this.redisUrl, database: this.databaseUrl });
    this.cleanups.push(cleanup);
    try {
      return await fn();
    } finally {
      this.cleanups.pop();
      for (const problem of await cleanup.close()) log(`cleanup: ${problem}`);
    }
  }

  /** The innermost `scoped` call's. */
  private get cleanup(): Cleanup {
    return this.cleanups.at(-1)!;
  }

  prefix(label: string): string {
    return this.cleanup.prefix(`bench-${label}`);
  }

  schema(label: string): string {
    return this.cleanup.schema(`bench_${label.replace(/-/g, '_')}`);
  }

  queue(prefix: string): SyncQueue {
    const q = new SyncQueue(this.redis, prefix);
    this.cleanup.defer(() => q.queue.close());
    return q;
  }

  /** Settles as `promise` does, or rejects as soon as a process of the scope crashes. */
  guard<T>(promise: Promise<T>): Promise<T> {
    return this.cleanup.guard(promise);
  }

  /**
   * Starts a service (ingest, the sync-worker: of the `--before` checkout with `before`) from its dist/
   * as production runs it, or a file of the bench (a baseline, the load generator) with tsx, and waits
   * until it is ready. Every process is told the same (where Redis and PostgreSQL are, a free port and
   * admin port on loopback, the app and its token, the load's connections, the workers' sizes) and `env`.
   */
  async start(name: string, what: Service | `${string}.ts`, o: StartOptions = {}): Promise<Target> {
    const [port, admin] = [String(await freePort()), String(await freePort())];
    const env = {
      REDIS_URL: this.redisUrl,
      DATABASE_URL: this.databaseUrl,
      PORT: port,
      INGEST_HOST: '127.0.0.1',
      INGEST_PORT: port,
      ADMIN_PORT: admin,
      WORKER_ADMIN_PORT: admin,
      CALLBACK_PATH: '/im/callback',
      IM_APPS: `${this.sdkAppId}:${this.token}`,
      CONNECTIONS: String(this.opts.connections),
      WORKER_CONCURRENCY: String(this.opts.concurrency),
      PG_POOL_SIZE: POOL_SIZE,
      LOG_LEVEL: 'info',
      ...o.env,
    };
    const spawn = { name, cpus: o.cpus, logFile: `${this.logDir}/${name}.log`, maxLogLines: 1000 };
    const profile = this.opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${this.profileDir}`] : [];
    const root = o.before ? this.opts.before : undefined;
    const args = ['--import', 'tsx', `${BENCH_DIR}src/${what}`];
    const script = { ...spawn, args, cwd: BENCH_DIR, env: { HOME: process.env.HOME, ...env }, ipc: true };
    const proc = await (what.endsWith('.ts')
      ? startProcess(script, (l) => l.raw === 'ready', 60_000)
      : startService(what as Service, env, { ...spawn, nodeFlags: profile, root, timeoutMs: 60_000 }));
    this.processes.push(proc);
    this.cleanup.process(proc, 10_000);
    return { name, proc, port: Number(port) };
  }

  /** The sync-worker on `prefix`'s queue and `schema`'s stores; it runs its migrations first. */
  async syncWorker(name: string, prefix: string, schema: string, before = false): Promise<NodeProcess> {
    const env = { QUEUE_PREFIX: prefix, DB_SCHEMA: schema };
    return (await this.start(name, 'sync-worker', { env, before })).proc;
  }
}
