import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import pg from 'pg';

/** The migrations shipped with the worker (`packages/sync-worker/migrations`). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

export type Db = pg.Pool;
export type Tx = pg.PoolClient;

/** A pool whose connections use the store schema (so every statement names tables unqualified). */
export function createPool(databaseUrl: string, schema: string, max: number): Db {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, options: `-c search_path="${schema}"` });
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
 * Runs `fn` in one transaction on a client of the pool; rolls back on any error. A client whose rollback
 * fails (its connection is gone) is destroyed rather than returned to the pool.
 */
export async function withTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const tx = await db.connect();
  let broken = false;
  try {
    await tx.query('BEGIN');
    const result = await fn(tx);
    await tx.query('COMMIT');
    return result;
  } catch (err) {
    await tx.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    tx.release(broken);
  }
}
