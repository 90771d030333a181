import { dropSchema, TEST_DATABASE_URL, uniqueSchema } from '@imsync/testing';
import { createPool, migrate, type Db } from '../../src/db.js';

/** A migrated schema of its own, with a pool on it; `close()` ends the pool and drops the schema. */
export interface TestStore {
  readonly schema: string;
  readonly db: Db;
  /** Empties every store table (between the runs of a property test). */
  truncate(): Promise<void>;
  close(): Promise<void>;
}

export const STORE_TABLES = [
  'group_member_lists',
  'topic_lists',
  'relation_lists',
  'groups',
  'group_destroys',
  'group_members',
  'topics',
  'users',
  'friendships',
  'blocklist',
];

export async function openStore(label = 'worker', poolSize = 4): Promise<TestStore> {
  const schema = uniqueSchema(label);
  await migrate(TEST_DATABASE_URL, schema);
  const db = createPool(TEST_DATABASE_URL, schema, poolSize);
  return {
    schema,
    db,
    truncate: async () => {
      await db.query(`TRUNCATE ${STORE_TABLES.join(', ')}`);
    },
    close: async () => {
      await db.end();
      await dropSchema(schema);
    },
  };
}
