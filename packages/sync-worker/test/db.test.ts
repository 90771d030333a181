import { expect } from 'chai';
import { GroupCommitter, inline, literal, withTransaction } from '../src/db.js';
import { openStore, type TestStore } from './support/store.js';

describe('db: one round trip per job, group commit', () => {
  let store: TestStore;
  before(async () => {
    store = await openStore('db');
  });
  after(async () => {
    await store.close();
  });
  beforeEach(async () => {
    await store.truncate();
  });

  const insertUser = (id: string) => `INSERT INTO users (sdk_app_id, user_id) VALUES (1, ${literal(id)})`;
  const users = async () =>
    (await store.db.query<{ user_id: string }>('SELECT user_id FROM users ORDER BY user_id')).rows.map(
      (r) => r.user_id,
    );

  it('inlines parameters as literals that PostgreSQL reads back unchanged', async () => {
    const odd = `it's "quoted" \\ back\\slash, $1 and ünïcödé 🚀`;
    const sql = inline(
      'SELECT $1::text AS t, $2::bigint AS b, $3::numeric AS n, $4::jsonb AS j, $5::timestamptz AS d, $6::text[] AS a, $7::boolean AS f, $8::text AS z',
      [
        odd,
        1400000001,
        (1n << 100n).toString(),
        { k: odd, n: [1, null] },
        new Date('2024-01-02T03:04:05.678Z'),
        ['a', "b'c"],
        false,
        null,
      ],
    );
    const { rows } = await store.db.query(sql);
    expect(rows[0]).to.deep.include({
      t: odd,
      b: '1400000001',
      n: (1n << 100n).toString(),
      f: false,
      z: null,
    });
    expect(rows[0].j).to.deep.equal({ k: odd, n: [1, null] });
    expect((rows[0].d as Date).toISOString()).to.equal('2024-01-02T03:04:05.678Z');
    expect(rows[0].a).to.deep.equal(['a', "b'c"]);
  });

  it('refuses text with a NUL character (22021) and an invalid time (22008) as PostgreSQL would', () => {
    expect(() => literal('a\u0000b'))
      .to.throw()
      .with.property('code', '22021');
    expect(() => literal(new Date(8.65e15)))
      .to.throw()
      .with.property('code', '22008');
  });

  it('parenthesises negative numbers, so that `x-$1` never becomes a comment', async () => {
    expect(inline('SELECT 1-$1 AS a, 1-$2 AS b', [-5, -5n])).to.equal('SELECT 1-(-5) AS a, 1-(-5) AS b');
    const { rows } = await store.db.query(inline('SELECT 1-$1 AS a', [-5]));
    expect(rows[0].a).to.equal(6);
  });

  it("a job's statements are all or nothing", async () => {
    const bad = withTransaction(store.db, async (tx) => {
      await tx.query(insertUser('x'));
      await tx.query('INSERT INTO users (sdk_app_id, user_id) VALUES (1, NULL)');
    });
    await bad.then(
      () => expect.fail('should fail'),
      (err: { code?: string }) => expect(err.code).to.equal('23502'),
    );
    expect(await users()).to.deep.equal([]);
  });

  it('group-commits jobs that are ready together, and replays a failed group job by job', async () => {
    const committer = new GroupCommitter(store.db, 64);
    const outcomes = await Promise.allSettled([
      committer.run(insertUser('a'), 'a'),
      committer.run(`${insertUser('b')}; INSERT INTO users (sdk_app_id, user_id) VALUES (1, NULL)`, 'b'),
      committer.run(insertUser('c'), 'c'),
    ]);
    expect(outcomes.map((o) => o.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled']);
    expect(((outcomes[1] as PromiseRejectedResult).reason as { code?: string }).code).to.equal('23502');
    // the failing job's own first statement did not survive: each job is still all or nothing
    expect(await users()).to.deep.equal(['a', 'c']);
  });

  it('keeps at most maxJobs in one group and every job gets its answer', async () => {
    const committer = new GroupCommitter(store.db, 3);
    await Promise.all(Array.from({ length: 10 }, (_, i) => committer.run(insertUser(`u${i}`), `u${i}`)));
    expect(await users()).to.have.length(10);
  });
});
