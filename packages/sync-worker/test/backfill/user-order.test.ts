import { expect } from 'chai';
import pg from 'pg';
import { TEST_DATABASE_URL } from '@imsync/testing';
import { byBytes } from '../../src/backfill/parts.js';

describe('backfill: the order of user ids across a resumed run', () => {
  // a resumed users part compares its cursor in SQL (COLLATE "C") and in JavaScript: both must agree
  it('is the order of PostgreSQL\'s "C" collation, whatever the case, script or plane of the ids', async () => {
    const ids = [
      'user1',
      'User5',
      'u_2',
      'Ünal',
      'ünal',
      '张三',
      '\uff01wide',
      '\u{1f600}smile',
      'a',
      'A',
      '',
    ];
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      const res = await client.query<{ id: string }>(
        'SELECT id FROM unnest($1::text[]) AS t(id) ORDER BY id COLLATE "C"',
        [ids],
      );
      expect([...ids].sort(byBytes)).to.deep.equal(res.rows.map((r) => r.id));
    } finally {
      await client.end();
    }
  });
});
