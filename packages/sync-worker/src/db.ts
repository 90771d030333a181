import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import pg from 'pg';

/** The migrations shipped with the worker (`packages/sync-worker/migrations`). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

export type Db = pg.Pool;
/**
 * Where a handler writes. Statements are collected, then sent to PostgreSQL as one multi-statement query:
 * one round trip per job, and PostgreSQL runs the statements as one implicit transaction (all or none).
 * Handlers only write; they never read a statement's result.
 */
export interface Tx {
  query(sql: string, params?: readonly unknown[]): Promise<void>;
}

const LOCK_TIMEOUT_MS = 10_000;
const STATEMENT_TIMEOUT_MS = 60_000;

/** A pool whose connections use the store schema (so every statement names tables unqualified). */
export function createPool(databaseUrl: string, schema: string, max: number): Db {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max,
    // a transaction whose worker went away (shutdown deadline, crash) is cancelled, not left to commit late
    options:
      `-c search_path="${schema}" -c client_connection_check_interval=2000` +
      // a lock held elsewhere (an app's long transaction, DDL) fails the group, which is then retried,
      // rather than stalling the worker for ever
      ` -c lock_timeout=${LOCK_TIMEOUT_MS} -c statement_timeout=${STATEMENT_TIMEOUT_MS}`,
  });
  pool.on('error', () => undefined); // an idle client's error is reported by the next query that uses the pool
  return pool;
}

/**
 * Runs the pending migrations into `schema`. Safe when several workers start at once: each waits on an
 * advisory lock of its own schema, and finds nothing left to do once the first is done.
 */
export async function migrate(
  databaseUrl: string,
  schema: string,
  log: (msg: string) => void = () => undefined,
): Promise<string[]> {
  const lockValue = createHash('sha256').update(`imsync:${schema}`).digest().readInt32BE(0);
  const ran = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    schema,
    createSchema: true,
    migrationsSchema: schema,
    migrationsTable: 'pgmigrations',
    advisoryLockMode: 'wait',
    lockValue,
    singleTransaction: true,
    checkOrder: true,
    log,
  });
  return ran.map((m) => m.name);
}

/** A PostgreSQL literal for a statement parameter (the driver's own escaping for text). */
export function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'bigint') return value < 0n ? `(${value})` : value.toString();
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw Object.assign(new Error(`not a finite number: ${value}`), { code: '22003' });
    return value < 0 ? `(${value})` : String(value); // never `x-$1` → `x--1`, a comment
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw Object.assign(new Error('not a valid time'), { code: '22008' });
    return `${text(value.toISOString())}::timestamptz`;
  }
  if (Array.isArray(value)) return value.length ? `ARRAY[${value.map(literal).join(', ')}]` : `'{}'`;
  if (typeof value === 'string') return text(value);
  return `${text(JSON.stringify(value))}::jsonb`;
}

function text(s: string): string {
  // PostgreSQL text cannot hold NUL; refuse it here as PostgreSQL would (invalid byte sequence, permanent)
  if (s.includes('\u0000'))
    throw Object.assign(new Error('text contains a NUL character'), { code: '22021' });
  return pg.escapeLiteral(s);
}

/** Replaces `$1`, `$2` … with literals. The statement texts are imsync's own: no `$n` inside strings. */
export function inline(sql: string, params: readonly unknown[] = []): string {
  return params.length === 0
    ? sql
    : sql.replace(/\$(\d+)/g, (_, n: string) => {
        const i = Number(n) - 1;
        if (i >= params.length)
          throw new Error(`statement refers to $${n} but has ${params.length} parameters`);
        return literal(params[i]);
      });
}

class ScriptTx implements Tx {
  readonly statements: string[] = [];
  async query(sql: string, params?: readonly unknown[]): Promise<void> {
    this.statements.push(inline(sql, params));
  }
}

/** Sends a job's statements (one script) to PostgreSQL. */
export interface Executor {
  run(script: string, lockKey?: string): Promise<void>;
}

/** Each script in its own round trip: a multi-statement query, one implicit transaction. */
export const directExecutor = (db: Db): Executor => ({
  run: async (script) => {
    await db.query(script);
  },
});

interface PendingScript {
  readonly script: string;
  readonly lockKey: string;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Group commit: the scripts of jobs that are ready together are sent as one multi-statement query — one
 * round trip and one commit for all of them — while the previous group is in flight. Each job's
 * statements stay all-or-nothing. If a group fails (one job's bad data, a deadlock with another worker,
 * a lost connection), each of its jobs is replayed alone, so one job's failure never decides another's.
 * Jobs are ordered by the row they lock first, so that groups from several workers lock rows alike.
 */
export class GroupCommitter implements Executor {
  private pending: PendingScript[] = [];
  private inFlight = 0;
  private scheduled = false;

  /** @param maxJobs at most this many jobs in one group */
  constructor(
    private readonly db: Db,
    private readonly maxJobs: number,
  ) {}

  run(script: string, lockKey = ''): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ script, lockKey, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.pump()); // let the jobs that are ready in this turn join the group
      }
    });
  }

  private pump(): void {
    this.scheduled = false;
    // one group at a time: two groups of one worker never wait on each other's row locks
    while (this.inFlight === 0 && this.pending.length > 0) {
      const group = this.pending.splice(0, this.maxJobs);
      this.inFlight++;
      void this.send(group).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async send(group: PendingScript[]): Promise<void> {
    if (group.length > 1) {
      group.sort((a, b) => (a.lockKey < b.lockKey ? -1 : a.lockKey > b.lockKey ? 1 : 0));
      try {
        await this.db.query(group.map((p) => p.script).join(';\n'));
        for (const p of group) p.resolve();
        return;
      } catch {
        // replayed one by one below: each job gets its own outcome
      }
    }
    for (const p of group) {
      try {
        await this.db.query(p.script);
        p.resolve();
      } catch (err) {
        p.reject(err);
      }
    }
  }
}

/**
 * Runs `fn`'s statements as one transaction: a multi-statement query, which PostgreSQL executes as a
 * single implicit transaction (through `executor`: alone, or group-committed with other jobs). Nothing
 * is sent when `fn` writes nothing.
 */
export async function withTransaction<T>(
  db: Db,
  fn: (tx: Tx) => Promise<T>,
  executor: Executor = directExecutor(db),
  lockKey?: string,
): Promise<T> {
  const tx = new ScriptTx();
  const result = await fn(tx);
  if (tx.statements.length > 0) await executor.run(tx.statements.join(';\n'), lockKey);
  return result;
}
