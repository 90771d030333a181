import { expect } from 'chai';
import { TEST_DATABASE_URL } from '@imsync/testing';
import { createPool, applyAsOneTransaction } from '../src/db.js';
import { GroupCommitter, sqlLiteral, executeLiterally, type Statement } from '../src/statements.js';
import { openStore, type TestStore } from './support/store.js';

describe('statements: one round trip per job, prepared once per connection, group commit', () => {
  let store: TestStore;
  before(async () => {
    store = await openStore('stmts');
  });
  after(async () => {
    await store.close();
  });
  beforeEach(async () => {
    await store.truncate();
  });

  const insertUser = (id: string | null): Statement => ({
    sql: 'INSERT INTO users (sdk_app_id, user_id) VALUES ($1, $2)',
    params: [1, id],
  });
  const users = async () =>
    (await store.db.query<{ user_id: string }>('SELECT user_id FROM users ORDER BY user_id')).rows.map(
      (r) => r.user_id,
    );

  it('sends parameters as literals that PostgreSQL reads back unchanged', async () => {
    const odd = `it's "quoted" \\ back\\slash, $1 and ünïcödé 🚀`;
    const values = [
      odd,
      1400000001,
      (1n << 100n).toString(),
      { k: odd, n: [1, null] },
      new Date('2024-01-02T03:04:05.678Z'),
      ['a', "b'c"],
      false,
      null,
      -5,
    ];
    const sql =
      'SELECT ' +
      ['text', 'bigint', 'numeric', 'jsonb', 'timestamptz', 'text[]', 'boolean', 'text', 'integer']
        .map((t, i) => `${sqlLiteral(values[i])}::${t} AS c${i}`)
        .join(', ');
    const { rows } = await store.db.query(sql);
    expect(rows[0]).to.deep.include({
      c0: odd,
      c1: '1400000001',
      c2: (1n << 100n).toString(),
      c6: false,
      c7: null,
    });
    expect(rows[0].c3).to.deep.equal({ k: odd, n: [1, null] });
    expect((rows[0].c4 as Date).toISOString()).to.equal('2024-01-02T03:04:05.678Z');
    expect(rows[0].c5).to.deep.equal(['a', "b'c"]);
    expect(rows[0].c8).to.equal(-5);
  });

  it('refuses text with a NUL character (22021) and an invalid time (22008) as PostgreSQL would', () => {
    expect(() => sqlLiteral('a\u0000b'))
      .to.throw()
      .with.property('code', '22021');
    expect(() => sqlLiteral(new Date(8.65e15)))
      .to.throw()
      .with.property('code', '22008');
  });

  it('parenthesises negative numbers, so that `x-$1` never becomes a comment', async () => {
    expect(sqlLiteral(-5)).to.equal('(-5)');
    expect(sqlLiteral(-5n)).to.equal('(-5)');
    const { rows } = await store.db.query(`SELECT 1-${sqlLiteral(-5)} AS a`);
    expect(rows[0].a).to.equal(6);
  });

  it('prepares a statement once per connection and executes it with literals after that', async () => {
    const one = createPool(TEST_DATABASE_URL, store.schema, 1); // one session, to look at what it prepared
    try {
      for (let i = 0; i < 20; i++) await executeLiterally(one, [insertUser(`p${i}`)]);
      const { rows } = await one.query<{ name: string; statement: string }>(
        "SELECT name, statement FROM pg_prepared_statements WHERE name LIKE 'imsync_%'",
      );
      expect(rows).to.have.length(1);
      expect(rows[0]!.statement).to.contain('INSERT INTO users (sdk_app_id, user_id) VALUES ($1, $2)');
      expect(await users()).to.have.length(20);
    } finally {
      await one.end();
    }
  });

  it("a job's statements are all or nothing, and a failed connection is not reused", async () => {
    const bad = applyAsOneTransaction(store.db, async (buffer) => {
      await buffer.add(insertUser('x').sql, insertUser('x').params);
      await buffer.add(insertUser(null).sql, insertUser(null).params);
    });
    await bad.then(
      () => expect.fail('should fail'),
      (err: { code?: string }) => expect(err.code).to.equal('23502'),
    );
    expect(await users()).to.deep.equal([]);
    await executeLiterally(store.db, [insertUser('after')]);
    expect(await users()).to.deep.equal(['after']);
  });

  it('group-commits jobs that are ready together, and replays a failed group job by job', async () => {
    const committer = new GroupCommitter(store.db, 64);
    const outcomes = await Promise.allSettled([
      committer.run([insertUser('a')], 'a'),
      committer.run([insertUser('b'), insertUser(null)], 'b'),
      committer.run([insertUser('c')], 'c'),
    ]);
    expect(outcomes.map((o) => o.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled']);
    expect(((outcomes[1] as PromiseRejectedResult).reason as { code?: string }).code).to.equal('23502');
    // the failing job's own first statement did not survive: each job is still all or nothing
    expect(await users()).to.deep.equal(['a', 'c']);
  });

  it('keeps at most maxJobs in one group and every job gets its answer', async () => {
    const committer = new GroupCommitter(store.db, 3);
    await Promise.all(Array.from({ length: 10 }, (_, i) => committer.run([insertUser(`u${i}`)], `u${i}`)));
    expect(await users()).to.have.length(10);
  });
});
