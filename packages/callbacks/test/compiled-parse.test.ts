import { createRequire } from 'node:module';
import { expect } from 'chai';
import fc from 'fast-check';
import { array, number, object, string, ValidationError } from 'yup';
import { compileParse, UNDECIDED } from '../src/compiled-parse.js';
import { InvalidCallbackError, parseBody, parseWithYup, validateBody } from '../src/job.js';
import { unstorableReason } from '../src/storable.js';
import { SYNCED_COMMANDS, SYNCED_SCHEMAS, type SyncedCommand } from '../src/synced.js';
import { sampleBody } from './support.js';
import { mutated } from '@imsync/testing';

type Verdict = { accepted: boolean; value?: unknown; errors?: readonly string[]; threw?: string };

/** What yup says of a body: accepted (with the normalised event), refused (with its errors), or it threw something else. */
function yupVerdict(command: SyncedCommand, body: unknown): Verdict {
  try {
    return { accepted: true, value: parseWithYup(command, body) };
  } catch (err) {
    if (err instanceof InvalidCallbackError) return { accepted: false, errors: err.errors };
    return { accepted: false, threw: String(err) };
  }
}

/** What the schema alone says (no storable rules): the reference of the compiled parse. */
function schemaVerdict(command: SyncedCommand, body: unknown): Verdict {
  return verdictOf(() => {
    try {
      return SYNCED_SCHEMAS[command].validateSync(body, { abortEarly: false });
    } catch (err) {
      if (err instanceof ValidationError) throw new InvalidCallbackError(err.errors);
      throw err;
    }
  });
}

function verdictOf(run: () => unknown): Verdict {
  try {
    return { accepted: true, value: run() };
  } catch (err) {
    if (err instanceof InvalidCallbackError) return { accepted: false, errors: err.errors };
    return { accepted: false, threw: String(err) };
  }
}

/** `depth` arrays inside one another, a string at the bottom. */
function nested(depth: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/** Values that sit on the edges of what the schemas accept. */
const tricky: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    '',
    ' ',
    '  x  ',
    'x',
    '0',
    '-1',
    '1.5',
    ' 1670574414123',
    'a\u0000',
    '1e3',
    'NaN',
    'Infinity',
    'yesterday',
  ),
  fc.constantFrom(0, -1, 1.5, 1670574414123, Number.MAX_SAFE_INTEGER, -0, 1e21, true, false),
  fc.constantFrom(
    'Login',
    'Logout',
    'Disconnect',
    'Owner',
    'Admin',
    'Member',
    'Online',
    'Offline',
    'set',
    'modify',
    'delete',
    'clear',
    'IOS',
    'iOs',
    'macOS',
  ),
  fc.constantFrom([], {}, [''], [' '], [{}], [null], [{ Member_Account: 'a' }], [{ Member_Account: ' ' }]),
  fc.constantFrom(
    [{ Key: 'k', Value: 'v' }],
    [{ key: 'k', value: 'v' }],
    [{ key: 'k' }],
    [{ Key: '', Value: 1 }],
  ),
  fc.constantFrom(
    [{ From_Account: 'a', To_Account: 'b' }],
    [{ Tag: 'Tag_Profile_IM_Nick', Value: 1 }],
    [{ Platform: 'IOS' }],
  ),
  // hostile: what no store could hold, or what trips a schema's cast
  fc.constantFrom(
    '\ud800',
    'a\udc00b',
    '\ud83d\ude00',
    Infinity,
    -Infinity,
    { toString: 1 },
    { valueOf: 'x' },
    { constructor: 'x' },
    [{ hasOwnProperty: 1 }],
    nested(40),
    nested(31),
    'x'.repeat(129),
    'x'.repeat(257),
  ),
  fc.string({ maxLength: 4 }),
  fc.integer({ min: -5, max: 5 }),
  fc.double({ noNaN: false }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Keys Tencent sends under another name (aliases the schemas rename), plus some new ones. */
const EXTRA_KEYS = [
  'groupID',
  'Modified_Account',
  'TopicId',
  'TopicIdList',
  'key',
  'value',
  'FutureField',
  'Key',
  'Value',
  'GroupId',
];

describe('the parse compiled from the schemas (the contract test of compiled-parse.ts, which reads yup internals)', () => {
  it('runs on the yup version every package pins: upgrading yup means running this test first', () => {
    const require = createRequire(import.meta.url);
    const installed = (require('yup/package.json') as { version: string }).version;
    const pinned = (require('../package.json') as { dependencies: Record<string, string> }).dependencies.yup;
    expect(installed).to.equal(pinned);
  });

  for (const command of SYNCED_COMMANDS) {
    describe(command, () => {
      it('is compiled', () => {
        expect(compileParse(SYNCED_SCHEMAS[command])).to.be.a('function');
      });

      it('accepts exactly what yup accepts and returns what yup returns; parseBody and validateBody answer exactly as yup (errors included)', () => {
        const parse = compileParse(SYNCED_SCHEMAS[command])!;
        let valid = 0;
        let invalid = 0;
        let storable = 0;
        fc.assert(
          fc.property(mutated(sampleBody(command), { tricky, extraKeys: EXTRA_KEYS }), (body) => {
            const yup = yupVerdict(command, body);
            const schema = schemaVerdict(command, body);
            const before = structuredClone(body);
            // parseBody runs the storable rules before either path: on a body they let through, the compiled
            // parse agrees with the schema alone
            if (unstorableReason(body, 'stores') === null) {
              storable++;
              const fast = parse(body);
              expect(fast !== UNDECIDED, JSON.stringify(body)).to.equal(schema.accepted);
              if (schema.accepted) expect(fast, JSON.stringify(body)).to.deep.equal(schema.value);
              else expect(fast).to.equal(UNDECIDED);
            }
            expect(
              verdictOf(() => parseBody(command, body)),
              JSON.stringify(body),
            ).to.deep.equal(yup);
            expect(
              verdictOf(() => validateBody(command, body)),
              JSON.stringify(body),
            ).to.deep.equal(yup.accepted ? { accepted: true, value: undefined } : yup);
            expect(body, 'the body is not changed').to.deep.equal(before);
            if (yup.accepted) {
              // ingest picks the duplicate window from the raw body: EventTime absent there ⇔ absent after casting
              const event = yup.value as { EventTime?: unknown };
              expect(event.EventTime === undefined).to.equal(
                (body as { EventTime?: unknown }).EventTime === undefined,
              );
              valid++;
            } else invalid++;
          }),
          { numRuns: 500 },
        );
        // the generator reaches both sides
        expect(valid, 'valid bodies generated').to.be.greaterThan(20);
        expect(invalid, 'invalid bodies generated').to.be.greaterThan(20);
        expect(storable, 'storable bodies generated').to.be.greaterThan(250);
      });
    });
  }

  it('agrees with yup on bodies that are not objects at all', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SYNCED_COMMANDS), tricky, (command, body) => {
        if (unstorableReason(body, 'stores') === null)
          expect(compileParse(SYNCED_SCHEMAS[command])!(body) !== UNDECIDED).to.equal(
            schemaVerdict(command, body).accepted,
          );
        expect(verdictOf(() => parseBody(command, body))).to.deep.equal(yupVerdict(command, body));
      }),
      { numRuns: 300 },
    );
  });

  it('does not compile what it does not know (a custom test), so yup alone decides', () => {
    const custom = object({ a: string().test('odd', 'odd', (v) => v !== 'x') });
    expect(compileParse(custom)).to.equal(null);
    expect(compileParse(object({ a: array().of(number().integer()).min(1) }))).to.be.a('function');
  });
});
