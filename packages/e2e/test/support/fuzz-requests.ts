import { brotliCompressSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { CATALOG, MAX_BODY_DEPTH, SYNCED_COMMANDS } from '@imsync/callbacks';
import { deepJson, loadSample, mutated } from '@imsync/testing';

/** One request of the fuzz run, as it goes on the wire. */
export interface FuzzRequest {
  readonly method: 'POST' | 'GET' | 'PUT';
  /** Path and query string. */
  readonly path: string;
  readonly headers: Record<string, string>;
  /** The bytes sent (empty for GET). */
  readonly body: Buffer;
  /** The body as ingest decodes it (its event key is over this text), or null when it cannot be decoded. */
  readonly text: string | null;
  /** The CallbackCommand of the query, as ingest routes on it (trimmed), or null. */
  readonly command: string | null;
  /** What the generator put in, for a failure's message. */
  readonly kind: string;
  /** Something no answer may accept (a body the stores or the queue could not hold, reaching validation). */
  readonly mustRefuse: boolean;
}

/**
 * Markers put in a body as strings, replaced in its JSON text by what JSON.stringify cannot write (`1e400`)
 * or could only write by recursion (10,000 levels of nesting).
 */
const INFINITE = '\u0001inf\u0001';
const deepMarker = (depth: number) => `\u0001deep${depth}\u0001`;
const MARKERS = /"\\u0001(inf|deep(\d+))\\u0001"/g;

function toJson(value: unknown): string {
  return JSON.stringify(value).replace(MARKERS, (_, what: string, depth?: string) =>
    what === 'inf' ? '1e400' : deepJson(Number(depth)),
  );
}

/** Values no store may hold (each makes a synced body unstorable wherever it is put). */
const unstorable: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('\ud800', 'x\udfffy', 'a\u0000b', INFINITE, { toString: 1 }, { valueOf: { x: 1 } }, [
    { constructor: 'c' },
  ]),
  fc.constantFrom(MAX_BODY_DEPTH, 100, 5000, 8000, 10_000).map(deepMarker),
);

/** Values at the edges of what the schemas accept: wrong types, arrays for objects, long IDs … */
const tricky: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, '', ' ', 'x', '0', '-1', '1.5', '1670574414123', '1e400', 'NaN', 'Infinity'),
  fc.constantFrom(0, -1, 1.5, 1670574414123, Number.MAX_SAFE_INTEGER, 1e21, 1e308, -0, true, false),
  fc.constantFrom([], {}, [''], [{}], [null], [{ Member_Account: 'a' }], { Member_Account: 'a' }),
  fc.constantFrom(128, 129, 256, 257, 3000).map((n) => 'i'.repeat(n)),
  fc.constantFrom('\ud83d\ude00', 'ü', ' padded '),
  fc.constantFrom(MAX_BODY_DEPTH - 2, 10).map(deepMarker),
  fc.string({ maxLength: 6 }),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Keys Tencent might add, or sends under another name. */
const EXTRA_KEYS = ['FutureField', 'groupID', 'TopicId', 'key'];

/** `value` with `bad` put at one of its places (a field, or inside an object or array). */
function withInside(value: Record<string, unknown>, bad: unknown, where: number): Record<string, unknown> {
  const copy = structuredClone(value);
  const places: Record<string, unknown>[] = [copy];
  for (const v of Object.values(copy)) {
    if (Array.isArray(v)) for (const x of v) if (x && typeof x === 'object') places.push(x);
    if (v && typeof v === 'object' && !Array.isArray(v)) places.push(v as Record<string, unknown>);
  }
  const place = places[where % places.length]!;
  const keys = Object.keys(place);
  const key = where % 3 === 0 || keys.length === 0 ? `Injected${where}` : keys[where % keys.length]!;
  place[key] = bad;
  return copy;
}

const SYNCED = SYNCED_COMMANDS.map((command) => ({ command, body: loadSample(command).body }));
const UNROUTED = ['Group.CallbackAfterRecallMsg', 'Follow.CallbackAfterFollowAdd'].map((command) => ({
  command,
  body: loadSample(command).body,
}));
const BEFORE = [...CATALOG.values()].filter((e) => e.kind === 'before').map((e) => e.command);

interface Drawn {
  readonly command: string | null;
  readonly json: string;
  readonly kind: string;
  readonly mustRefuse: boolean;
}

/** A synced command with its sample: as documented, mutated, or with something unstorable inside. */
const syncedBody: fc.Arbitrary<Drawn> = fc
  .record({
    s: fc.constantFrom(...SYNCED),
    how: fc.constantFrom('sample', 'mutated', 'mutated', 'mutated', 'unstorable', 'unstorable'),
    seed: fc.integer({ min: 0, max: 1_000_000 }),
  })
  .chain(({ s, how, seed }): fc.Arbitrary<Drawn> => {
    const unique = { ...s.body, EventTime: 1_700_000_000_000 + seed };
    if (how === 'sample')
      return fc.constant({ command: s.command, json: toJson(unique), kind: 'sample', mustRefuse: false });
    if (how === 'mutated')
      return mutated(unique, { tricky, extraKeys: EXTRA_KEYS, rate: 6 }).map((b) => ({
        command: s.command,
        json: toJson(b),
        kind: 'mutated',
        mustRefuse: false,
      }));
    return unstorable.map((bad) => ({
      command: s.command,
      json: toJson(withInside(unique, bad, seed)),
      kind: `unstorable ${JSON.stringify(bad)?.slice(0, 30)}`,
      mustRefuse: true,
    }));
  });

/** Another command: unrouted (kept on its queue), a before-callback (allowed), unknown, or none. */
const otherBody: fc.Arbitrary<Drawn> = fc.oneof(
  fc.record({ u: fc.constantFrom(...UNROUTED), v: fc.oneof(tricky, fc.constant(null)) }).map(({ u, v }) => ({
    command: u.command,
    json: toJson(v === null ? u.body : { ...u.body, Extra: v }),
    kind: 'unrouted',
    // the queue holds anything but deep nesting and infinite numbers
    mustRefuse: false,
  })),
  fc.constantFrom(...UNROUTED).chain((u) =>
    fc.constantFrom(INFINITE, deepMarker(MAX_BODY_DEPTH), deepMarker(10_000)).map((bad) => ({
      command: u.command,
      json: toJson({ ...u.body, Extra: bad }),
      kind: 'unrouted unstorable',
      mustRefuse: true,
    })),
  ),
  fc.record({ c: fc.constantFrom(...BEFORE), v: fc.jsonValue({ maxDepth: 3 }) }).map(({ c, v }) => ({
    command: c,
    json: toJson(v),
    kind: 'before',
    mustRefuse: false,
  })),
  fc
    .record({ c: fc.string({ minLength: 1, maxLength: 40 }), v: fc.jsonValue({ maxDepth: 3 }) })
    .map(({ c, v }) => ({
      command: c,
      json: toJson(v),
      kind: 'unknown command',
      mustRefuse: false,
    })),
  fc
    .constantFrom(...SYNCED)
    .map((s) => ({ command: null, json: toJson(s.body), kind: 'no command', mustRefuse: false })),
);

/** Bodies that are no JSON object at all (or that the parser refuses). */
const garbage: fc.Arbitrary<Drawn> = fc
  .record({
    command: fc.constantFrom(...SYNCED_COMMANDS, 'C2C.CallbackAfterSendMsg'),
    json: fc.oneof(
      fc.constantFrom(
        '',
        '   ',
        '{',
        'not json',
        '[]',
        '"text"',
        '42',
        'null',
        '{"__proto__":{"a":1}}',
        '[{}]',
      ),
      fc.string({ maxLength: 30 }),
    ),
  })
  .map(({ command, json }) => ({
    command,
    json,
    kind: `garbage ${JSON.stringify(json)}`,
    mustRefuse: false,
  }));

type Wire = 'identity' | 'gzip' | 'br' | 'fake gzip' | 'fake br' | 'fake deflate' | 'unknown' | 'upper gzip';

const wire: fc.Arbitrary<Wire> = fc.oneof(
  { weight: 30, arbitrary: fc.constant('identity' as const) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Wire>(
      'gzip',
      'br',
      'upper gzip',
      'fake gzip',
      'fake br',
      'fake deflate',
      'unknown',
    ),
  },
);

function encode(
  json: string,
  how: Wire,
): { body: Buffer; headers: Record<string, string>; text: string | null } {
  switch (how) {
    case 'identity':
      return { body: Buffer.from(json), headers: {}, text: json };
    case 'gzip':
      return { body: gzipSync(json), headers: { 'content-encoding': 'gzip' }, text: json };
    case 'upper gzip':
      return { body: gzipSync(json), headers: { 'content-encoding': 'GZIP' }, text: json };
    case 'br':
      return { body: brotliCompressSync(json), headers: { 'content-encoding': 'br' }, text: json };
    case 'fake gzip':
      return { body: Buffer.from(json), headers: { 'content-encoding': 'gzip' }, text: null };
    case 'fake br':
      return { body: Buffer.from(json), headers: { 'content-encoding': 'br' }, text: null };
    case 'fake deflate':
      return { body: Buffer.from(json), headers: { 'content-encoding': 'deflate' }, text: null };
    case 'unknown':
      return { body: Buffer.from(json), headers: { 'content-encoding': 'zstd' }, text: null };
  }
}

/** Every request the fuzz run sends: mostly callbacks of the app, some of another app, path or method. */
export function fuzzRequests(sdkAppId: number): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      drawn: fc.oneof(
        { weight: 14, arbitrary: syncedBody },
        { weight: 4, arbitrary: otherBody },
        { weight: 2, arbitrary: garbage },
      ),
      wire,
      contentType: fc.constantFrom('application/json', 'application/json', 'text/plain', null),
      envelope: fc.oneof(
        { weight: 40, arbitrary: fc.constant('ok' as const) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            'other app' as const,
            'no app' as const,
            'GET' as const,
            'PUT' as const,
            'path' as const,
          ),
        },
      ),
      pad: fc.constantFrom('', '', '', ' '),
    })
    .map(({ drawn, wire: how, contentType, envelope, pad }) => {
      const q = new URLSearchParams({ SdkAppid: String(envelope === 'other app' ? sdkAppId + 1 : sdkAppId) });
      if (envelope === 'no app') q.delete('SdkAppid');
      if (drawn.command !== null) q.set('CallbackCommand', `${pad}${drawn.command}`);
      q.set('contenttype', 'json');
      q.set('ClientIP', '127.0.0.1');
      q.set('OptPlatform', 'RESTAPI');
      const { body, headers, text } = encode(drawn.json, how);
      if (contentType !== null) headers['content-type'] = contentType;
      const method = envelope === 'GET' || envelope === 'PUT' ? envelope : 'POST';
      return {
        method,
        path: `${envelope === 'path' ? '/im/callback/' : '/im/callback'}?${q.toString()}`,
        headers,
        body: method === 'GET' ? Buffer.alloc(0) : body,
        text,
        command: drawn.command?.trim() ?? null,
        kind: `${drawn.kind} (${how}, ${envelope})`,
        mustRefuse: drawn.mustRefuse,
      };
    });
}
