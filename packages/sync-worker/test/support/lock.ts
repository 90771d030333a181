import pg from 'pg';
import { TEST_DATABASE_URL } from '@imsync/testing';
import type { TestStore } from './store.js';

/**
 * Runs `fn` while another session holds the store's users table, with a pool whose sessions give up waiting
 * for a lock after 200 ms (a transient fault, 55P03, like a deadlock); `unlock` commits the holder. The
 * pool and the holder are closed afterwards: `fn` closes what it opened on the pool first.
 */
export async function withUsersLocked(
  store: TestStore,
  fn: (db: pg.Pool, unlock: () => Promise<void>) => Promise<void>,
): Promise<void> {
  const db = new pg.Pool({
    connectionString: TEST_DATABASE_URL,
    max: 2,
    options: `-c search_path="${store.schema}" -c lock_timeout=200`,
  });
  const locker = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await locker.connect();
  try {
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE "${store.schema}".users IN ACCESS EXCLUSIVE MODE`);
    await fn(db, async () => {
      await locker.query('COMMIT');
    });
  } finally {
    await locker.end();
    await db.end();
  }
}
