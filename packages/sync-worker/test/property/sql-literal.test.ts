import { expect } from 'chai';
import fc from 'fast-check';
import pg from 'pg';
import { TEST_DATABASE_URL } from '@imsync/testing';
import { executeLiterally, sqlLiteral } from '../../src/statements.js';
import { openStore, type TestStore } from '../support/store.js';

/*
 * sqlLiteral writes statement parameters as PostgreSQL literals (see src/statements.ts). Each value a
 * handler may pass goes through it into PostgreSQL and back unchanged: `SELECT <literal>` on its own, and
 * `EXECUTE` of a prepared statement (how the worker sends them) with many rows in one simple-protocol query.
 */

const RUNS = Number(process.env.PROPERTY_RUNS ?? 200);

const isSurrogate = (cp: number) => cp >= 0xd800 && cp <= 0xdfff;

/**
 * Pieces that break a naive escaping, and any code point but NUL and a lone surrogate (the contract refuses
 * those).
 */
const textUnit = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom("'", "''", '\\', "\\'", "E'", "e'", '$$', '$1', '$tag$', '"') },
  { weight: 1, arbitrary: fc.constantFrom('--', '/*', '*/', ';', '\n', '\r', '\t', ' ', '\u2028', '\uFEFF') },
  {
    weight: 4,
    arbitrary: fc
      .integer({ min: 1, max: 0x10ffff })
      .filter((cp) => !isSurrogate(cp))
      .map((cp) => String.fromCodePoint(cp)),
  },
  { weight: 2, arbitrary: fc.constantFrom('é', 'ü', '中', '🚀', '👩‍👩‍👧', '𝄞', '\u{10FFFF}') },
);
const shortText = fc.string({ unit: textUnit, maxLength: 64 });
/** Short text, and long text (a piece repeated up to some 200,000 code units). */
const text = fc.oneof(
  { weight: 4, arbitrary: shortText },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.string({ unit: textUnit, minLength: 1, maxLength: 8 }), fc.integer({ min: 100, max: 25_000 }))
      .map(([piece, times]) => piece.repeat(times)),
  },
);
const json = fc.jsonValue({ stringUnit: textUnit, maxDepth: 4 });
const jsonObject = fc.dictionary(shortText, json, { maxKeys: 8 });
const timestamp = fc.date({
  noInvalidDate: true,
  min: new Date('0001-01-01T00:00:00.000Z'),
  max: new Date('9999-12-31T23:59:59.999Z'),
});
const int8 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });

/** Compares what PostgreSQL gave back with the value, for the type the value was cast to. */
type Check<T> = (back: unknown, value: T) => void;
const same: Check<unknown> = (back, value) => expect(back).to.equal(value);
const asBigInt: Check<bigint | number> = (back, value) =>
  expect(BigInt(back as string)).to.equal(BigInt(value));
const asTime: Check<Date> = (back, value) => expect((back as Date).getTime()).to.equal(value.getTime());
const asJson: Check<unknown> = (back, value) =>
  expect(back).to.deep.equal(JSON.parse(JSON.stringify(value)) as unknown);

describe('sqlLiteral (property, against PostgreSQL): values go in and come back unchanged', function () {
  this.timeout(300_000);
  let client: pg.Client;
  before(async () => {
    client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    // how PostgreSQL writes times back; the literals name their zone (Z) whatever the session's
    await client.query(`SET TimeZone = 'UTC'`);
  });
  after(async () => client.end());

  /** `SELECT <literal>::type`, and the same literal through `EXECUTE` of a statement prepared for it. */
  async function roundTrip<T>(type: string, arb: fc.Arbitrary<T>, check: Check<T>): Promise<void> {
    const name = `roundtrip_${type.replace(/\W/g, '_')}`;
    await client.query(`DEALLOCATE ALL; PREPARE ${name}(${type}) AS SELECT $1 AS v`);
    await fc.assert(
      fc.asyncProperty(arb, async (value) => {
        const literal = sqlLiteral(value);
        const [selected, executed] = (await client.query(
          `SELECT ${literal}::${type} AS v; EXECUTE ${name}(${literal})`,
        )) as unknown as pg.QueryResult[];
        check(selected!.rows[0].v, value);
        check(executed!.rows[0].v, value);
      }),
      { numRuns: RUNS },
    );
  }

  it('text: quotes, backslashes, E-prefixes, dollar quotes, comments, any Unicode, long strings', async () => {
    await roundTrip('text', text, same);
  });

  it('text as written, without a cast: a literal stands for its text alone', async () => {
    await fc.assert(
      fc.asyncProperty(text, async (value) => {
        const { rows } = await client.query<{ v: string }>(`SELECT ${sqlLiteral(value)} AS v`);
        expect(rows[0]!.v).to.equal(value);
      }),
      { numRuns: RUNS },
    );
  });

  it('numbers: doubles (negative, tiny, huge) and integers', async () => {
    await roundTrip('float8', fc.double({ noNaN: true, noDefaultInfinity: true }), same);
    await roundTrip('bigint', fc.maxSafeInteger(), asBigInt);
    await roundTrip('integer', fc.integer(), same);
  });

  it('bigints: every int8, and numerics far beyond it', async () => {
    await roundTrip('bigint', int8, asBigInt);
    await roundTrip('numeric', fc.bigInt({ min: -(1n << 300n), max: 1n << 300n }), asBigInt);
  });

  it('booleans and null', async () => {
    await roundTrip('boolean', fc.boolean(), same);
    await roundTrip('text', fc.constantFrom(null, undefined), (back) => expect(back).to.equal(null));
  });

  it('dates, from year 1 to 9999, to the millisecond', async () => {
    await roundTrip('timestamptz', timestamp, asTime);
  });

  it('arrays of text (with nulls) and of bigints, empty ones too', async () => {
    await roundTrip('text[]', fc.array(fc.option(shortText), { maxLength: 8 }), (back, value) =>
      expect(back).to.deep.equal(value),
    );
    await roundTrip('bigint[]', fc.array(int8, { maxLength: 8 }), (back, value) =>
      expect((back as string[]).map(BigInt)).to.deep.equal(value),
    );
  });

  it('jsonb objects, nested, with any text in keys and values', async () => {
    await roundTrip('jsonb', jsonObject, asJson);
  });

  describe('through executeLiterally, as the worker sends them (many rows in one round trip)', () => {
    let store: TestStore;
    before(async () => {
      store = await openStore('sql_literal', 2);
      await store.db.query(
        'CREATE TABLE roundtrip (id integer PRIMARY KEY, t text, n float8, i bigint, big numeric, ' +
          'b boolean, at timestamptz, texts text[], j jsonb)',
      );
    });
    after(async () => store.close());

    it('rows of every kind of value, read back unchanged', async () => {
      const row = fc.tuple(
        fc.option(text),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        int8,
        fc.bigInt({ min: -(1n << 200n), max: 1n << 200n }),
        fc.boolean(),
        timestamp,
        fc.array(fc.option(shortText), { maxLength: 4 }),
        jsonObject,
      );
      await fc.assert(
        fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 8 }), async (rows) => {
          await store.db.query('TRUNCATE roundtrip');
          await executeLiterally(
            store.db,
            rows.map((values, id) => ({
              sql: 'INSERT INTO roundtrip VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
              params: [id, ...values],
            })),
          );
          const back = (await store.db.query('SELECT * FROM roundtrip ORDER BY id')).rows;
          expect(back).to.have.length(rows.length);
          rows.forEach(([t, n, i, big, b, at, texts, j], id) => {
            const r = back[id] as Record<string, unknown>;
            expect(r.t).to.equal(t);
            expect(r.n).to.equal(n);
            asBigInt(r.i, i);
            asBigInt(r.big, big);
            expect(r.b).to.equal(b);
            asTime(r.at, at);
            expect(r.texts).to.deep.equal(texts);
            asJson(r.j, j);
          });
        }),
        { numRuns: Math.ceil(RUNS / 4) },
      );
    });
  });
});
