import { expect } from 'chai';
import pg from 'pg';
import { dropSchema, TEST_DATABASE_URL, uniqueSchema } from '@imsync/testing';
import { runner } from 'node-pg-migrate';
import { migrate, MIGRATIONS_DIR } from '../src/db.js';

describe('migrate', () => {
  const schemas: string[] = [];
  after(async () => {
    for (const s of schemas) await dropSchema(s);
  });

  it('several workers starting at once on a fresh schema: all succeed, the migrations run once', async () => {
    const schema = uniqueSchema('migrate');
    schemas.push(schema);
    const runs = await Promise.all(Array.from({ length: 5 }, () => migrate(TEST_DATABASE_URL, schema)));
    // exactly one caller applied the migration; the others found nothing left to do
    expect(runs.filter((r) => r.length > 0)).to.have.length(1);
    expect(runs.flat()).to.deep.equal([
      '1700000000000_stores',
      '1700000000001_active-groups-seen',
      '1700000000002_snapshots',
    ]);
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      const applied = await client.query(`SELECT name FROM "${schema}".pgmigrations`);
      expect(applied.rows).to.deep.equal([
        { name: '1700000000000_stores' },
        { name: '1700000000001_active-groups-seen' },
        { name: '1700000000002_snapshots' },
      ]);
      const tables = await client.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
        [schema],
      );
      expect(tables.rows.map((r: { table_name: string }) => r.table_name)).to.include.members([
        'groups',
        'group_members',
        'topics',
        'users',
        'friendships',
        'blocklist',
        'active_groups',
        'active_group_members',
        'group_member_lists',
        'relation_lists',
        'sweep_checkpoints',
        'topic_lists',
      ]);
    } finally {
      await client.end();
    }
  });

  it('a second start finds the schema up to date', async () => {
    const schema = uniqueSchema('migrate');
    schemas.push(schema);
    expect(await migrate(TEST_DATABASE_URL, schema)).to.have.length(3);
    expect(await migrate(TEST_DATABASE_URL, schema)).to.deep.equal([]);
  });

  it('each migration goes down as it came up (the first one down to an empty schema)', async () => {
    const schema = uniqueSchema('migrate');
    schemas.push(schema);
    await migrate(TEST_DATABASE_URL, schema);
    const ran = await runner({
      databaseUrl: TEST_DATABASE_URL,
      dir: MIGRATIONS_DIR,
      direction: 'down',
      count: Infinity,
      schema,
      migrationsSchema: schema,
      migrationsTable: 'pgmigrations',
      singleTransaction: true,
      log: () => undefined,
    });
    expect(ran.map((m) => m.name)).to.deep.equal([
      '1700000000002_snapshots',
      '1700000000001_active-groups-seen',
      '1700000000000_stores',
    ]);
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      const left = await client.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'pgmigrations'`,
        [schema],
      );
      expect(left.rows).to.deep.equal([]);
    } finally {
      await client.end();
    }
  });
});
