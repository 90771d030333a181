import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { directExecutor, type Executor, type Statement } from './statements.js';

/** The migrations shipped with the worker (`packages/sync-worker/migrations`). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

export type Db = pg.Pool;

/**
 * Where a handler writes: `add` only records a statement and its parameters ($1, $2 …); nothing reaches
 * PostgreSQL until the handler has returned (see applyAsOneTransaction). Handlers only write; they never
 * read a statement's result.
 */
export interface StatementBuffer {
  add(sql: string, params?: readonly unknown[]): Promise<void>;
}

/** The statements a handler added, in order. */
class StatementList implements StatementBuffer {
  readonly statements: Statement[] = [];
  async add(sql: string, params: readonly unknown[] = []): Promise<void> {
    this.statements.push({ sql, params });
  }
}

const LOCK_TIMEOUT_MS = 10_000;
const STATEMENT_TIMEOUT_MS = 60_000;
const CONNECT_TIMEOUT_MS = 5_000;

/** A pool whose connections use the store schema (so every statement names tables unqualified). */
export function createPool(databaseUrl: string, schema: string, max: number): Db {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max,
    // a PostgreSQL that does not answer a connect (a host down, packets dropped) is found away in time
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // and a connection to a host that vanished is found dead by TCP keepalive rather than never
    keepAlive: true,
    // a transaction whose worker went away (shutdown deadline, crash) is cancelled, not left to commit late
    options:
      `-c search_path="${schema}" -c client_connection_check_interval=2000` +
      // a lock held elsewhere (an app's long transaction, DDL) fails the group, which is then retried,
      // rather than stalling the worker for ever
      ` -c lock_timeout=${LOCK_TIMEOUT_MS} -c statement_timeout=${STATEMENT_TIMEOUT_MS}`,
  });
  // A connection lost while a client is idle in the pool is reported to the pool ('error', below); one lost
  // while a client is checked out is reported on the client alone, and an 'error' event without a listener
  // ends the process. Every client gets a listener for its whole life: the query in flight rejects with the
  // same error, and the caller discards the client (see executeLiterally).
  pool.on('connect', (client) => client.on('error', () => undefined));
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

/**
 * Applies the statements `fn` adds as one transaction, once `fn` has returned: they are sent as one
 * multi-statement query, which PostgreSQL runs as a single implicit transaction (all or none, without a
 * BEGIN), through `executor`: alone, or group-committed with other jobs' statements. Nothing is sent when
 * `fn` adds nothing.
 */
export async function applyAsOneTransaction<T>(
  db: Db,
  fn: (buffer: StatementBuffer) => Promise<T>,
  executor: Executor = directExecutor(db),
  lockKey?: string,
): Promise<T> {
  const list = new StatementList();
  const result = await fn(list);
  if (list.statements.length > 0) await executor.run(list.statements, lockKey);
  return result;
}
