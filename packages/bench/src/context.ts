import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  deletePrefix,
  dropSchema,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  uniquePrefix,
  uniqueSchema,
} from '@imsync/testing';
import type { BenchOptions } from './options.js';

/** packages/bench */
export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
/** The repository root (the services are run from their built dist/). */
export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** What every scenario shares: options, where things go, and what must be cleaned up. */
export class Context {
  readonly redisUrl = TEST_REDIS_URL;
  readonly databaseUrl = TEST_DATABASE_URL;
  readonly sdkAppId = 1400000001;
  /** Signatures are checked, as in production. */
  readonly token = 'bench-token-0123456789';
  readonly startedAt = new Date();
  /** The Redis's persistence settings, read at the start of the run (see redisPersistence). */
  redisPersistence = 'unknown';
  readonly loadAtStart = Math.round(loadavg()[0]! * 100) / 100;
  readonly runId = this.startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  readonly outDir = `${REPO_ROOT}bench-results`;
  readonly logDir = `${this.outDir}/logs/${this.runId}`;
  private readonly prefixes = new Set<string>();
  private readonly schemas = new Set<string>();
  private seq = 0;

  constructor(readonly opts: BenchOptions) {
    mkdirSync(this.logDir, { recursive: true });
  }

  /** A queue prefix of its own (deleted at the end). */
  newPrefix(label: string): string {
    const p = uniquePrefix(`bench-${label}`);
    this.prefixes.add(p);
    return p;
  }

  /** A PostgreSQL schema of its own (dropped at the end). */
  newSchema(label: string): string {
    const s = uniqueSchema(`bench_${label.replace(/[^a-z0-9]/g, '_')}`);
    this.schemas.add(s);
    return s;
  }

  /** A payload series name no other series of this run uses. */
  newTag(label: string): string {
    return `${label}${this.runId.replace('-', '')}s${++this.seq}`;
  }

  logFile(name: string): string {
    return `${this.logDir}/${name}.log`;
  }

  /** Forgets a prefix's keys now (big queues are not kept until the end). */
  async dropPrefix(prefix: string): Promise<void> {
    await deletePrefix(prefix, this.redisUrl);
    this.prefixes.delete(prefix);
  }

  async dropSchema(schema: string): Promise<void> {
    await dropSchema(schema, this.databaseUrl);
    this.schemas.delete(schema);
  }

  /** Deletes every Redis key and schema the run created; reports what it could not. */
  async cleanup(): Promise<string[]> {
    const problems: string[] = [];
    for (const p of [...this.prefixes]) {
      await this.dropPrefix(p).catch((err: Error) => problems.push(`redis prefix ${p}: ${err.message}`));
    }
    for (const s of [...this.schemas]) {
      await this.dropSchema(s).catch((err: Error) => problems.push(`schema ${s}: ${err.message}`));
    }
    return problems;
  }
}

export function log(message: string): void {
  const t = new Date().toISOString().slice(11, 19);
  process.stdout.write(`[${t}] ${message}\n`);
}
