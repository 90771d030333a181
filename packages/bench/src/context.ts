import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  deletePrefix,
  dropSchema,
  freePort,
  startProcess,
  startService,
  type NodeProcess,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  uniquePrefix,
  uniqueSchema,
} from '@imsync/testing';
import type { BenchOptions } from './options.js';

/** packages/bench */
const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const CALLBACK_PATH = '/im/callback';
/** The bench's processes keep this many output lines in memory; every line is in their log file. */
const KEEP_LINES = 1000;

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

/** A server under load, and the core it is pinned to, if any. */
export interface Target {
  readonly name: string;
  readonly proc: NodeProcess;
  readonly port: number;
}

export function log(message: string): void {
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** What the scenarios share: options, where things go, what they found, what must be cleaned up. */
export class Context {
  readonly redisUrl = TEST_REDIS_URL;
  readonly databaseUrl = TEST_DATABASE_URL;
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
  /** Peak RSS of every process, bytes, by its name. */
  readonly peakRss: Record<string, number> = {};
  private readonly prefixes = new Set<string>();
  private readonly schemas = new Set<string>();
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

  /** Stops a process (it must exit on SIGTERM) and keeps its peak RSS. */
  async stop(proc: NodeProcess | undefined): Promise<void> {
    if (!proc) return;
    await proc.stop(10_000).catch((err: Error) => log(err.message));
    this.peakRss[proc.name] = proc.peakRss();
  }

  /** A queue prefix of its own (its keys deleted at the end at the latest). */
  newPrefix(label: string): string {
    const p = uniquePrefix(`bench-${label}`);
    this.prefixes.add(p);
    return p;
  }

  /** A PostgreSQL schema of its own (dropped at the end at the latest). */
  newSchema(label: string): string {
    const s = uniqueSchema(`bench_${label}`);
    this.schemas.add(s);
    return s;
  }

  /** A payload series name no other series of this run uses: every callback of a run is distinct. */
  newTag(label: string): string {
    return `${label}${this.runId.replace('-', '')}s${++this.seq}`;
  }

  async drop(what: { prefix?: string; schema?: string }): Promise<void> {
    if (what.prefix)
      await deletePrefix(what.prefix, this.redisUrl).then(() => this.prefixes.delete(what.prefix!));
    if (what.schema)
      await dropSchema(what.schema, this.databaseUrl).then(() => this.schemas.delete(what.schema!));
  }

  /** Deletes every Redis key and schema the run left; says what it could not. */
  async cleanup(): Promise<string[]> {
    const problems: string[] = [];
    for (const prefix of [...this.prefixes])
      await this.drop({ prefix }).catch((err: Error) => problems.push(`${prefix}: ${err.message}`));
    for (const schema of [...this.schemas])
      await this.drop({ schema }).catch((err: Error) => problems.push(`${schema}: ${err.message}`));
    return problems;
  }

  private spawnOptions(name: string, cpus?: string) {
    return { name, cpus, logFile: `${this.logDir}/${name}.log`, maxLogLines: KEEP_LINES };
  }

  private nodeFlags(): string[] {
    return this.opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${this.profileDir}`] : [];
  }

  /** The real ingest, from its dist/ as production runs it, with signatures checked and info logs. */
  async startIngest(name: string, prefix: string, cpus?: string): Promise<Target> {
    const [port, adminPort] = [await freePort(), await freePort()];
    const env = {
      REDIS_URL: this.redisUrl,
      QUEUE_PREFIX: prefix,
      INGEST_HOST: '127.0.0.1',
      INGEST_PORT: String(port),
      ADMIN_HOST: '127.0.0.1',
      ADMIN_PORT: String(adminPort),
      CALLBACK_PATH,
      IM_APPS: `${this.sdkAppId}:${this.token}`,
      LOG_LEVEL: 'info',
    };
    const proc = await startService('ingest', env, {
      ...this.spawnOptions(name, cpus),
      nodeFlags: this.nodeFlags(),
    });
    return { name, proc, port };
  }

  /** The real sync-worker (of the `--before` checkout with `before`); it runs its migrations first. */
  async startSyncWorker(name: string, prefix: string, schema: string, before = false): Promise<NodeProcess> {
    const env = {
      REDIS_URL: this.redisUrl,
      DATABASE_URL: this.databaseUrl,
      DB_SCHEMA: schema,
      QUEUE_PREFIX: prefix,
      WORKER_CONCURRENCY: String(this.opts.concurrency),
      PG_POOL_SIZE: String(POOL_SIZE),
      WORKER_ADMIN_HOST: '127.0.0.1',
      WORKER_ADMIN_PORT: String(await freePort()),
      LOG_LEVEL: 'info',
    };
    return startService('sync-worker', env, {
      ...this.spawnOptions(name, undefined),
      nodeFlags: this.nodeFlags(),
      timeoutMs: 60_000,
      root: before ? this.opts.before : undefined,
    });
  }

  /**
   * A TypeScript file of the bench (a baseline, the load generator) in a process of its own, run by tsx,
   * with a free port in PORT; it prints `ready` once it listens or is connected.
   */
  async startScript(
    name: string,
    file: string,
    env: Record<string, string> = {},
    cpus?: string,
  ): Promise<Target> {
    const port = await freePort();
    const proc = await startProcess(
      {
        ...this.spawnOptions(name, cpus),
        args: ['--import', 'tsx', `${BENCH_DIR}src/${file}`],
        cwd: BENCH_DIR,
        env: {
          HOME: process.env.HOME,
          PORT: String(port),
          CALLBACK_PATH,
          REDIS_URL: this.redisUrl,
          WORKER_CONCURRENCY: String(this.opts.concurrency),
          PG_POOL_SIZE: String(POOL_SIZE),
          ...env,
        },
        ipc: true,
      },
      (l) => l.raw === 'ready',
      30_000,
    );
    return { name, proc, port };
  }
}

/** PostgreSQL connections of every worker that writes (the sync-worker's default PG_POOL_SIZE). */
export const POOL_SIZE = 4;
