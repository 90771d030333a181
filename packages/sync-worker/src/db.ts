import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { directExecutor, type Executor, type Statement } from './statements.js';

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

class CollectingTx implements Tx {
  readonly statements: Statement[] = [];
  async query(sql: string, params: readonly unknown[] = []): Promise<void> {
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
  // same error, and the caller discards the client (see sendStatements).
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
  const tx = new CollectingTx();
  const result = await fn(tx);
  if (tx.statements.length > 0) await executor.run(tx.statements, lockKey);
  return result;
}
