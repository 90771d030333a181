import {
  ArraySchema,
  BooleanSchema,
  MixedSchema,
  NumberSchema,
  ObjectSchema,
  StringSchema,
  type AnySchema,
  type Schema,
} from 'yup';

/**
 * The one module of the contract that reads yup's internals (yup is pinned to an exact version; its contract
 * test is test/compiled-parse.test.ts, which compares this parse with yup's own on generated bodies).
 *
 * A fast parse compiled from a yup schema: `parse(value)` returns exactly what yup's `validateSync(value)`
 * (non-strict) would return — the cast value — when yup would accept the value, and `UNDECIDED` when the
 * value is invalid *or* when the parse cannot tell; the caller then asks yup, which decides and lists every
 * error. So the schema stays the one definition of the shape, and yup's answer is the answer.
 *
 * It runs the schema's own transforms, defaults and test functions (the same objects yup calls), without
 * yup's per-call machinery (option objects, callbacks, error objects): casting and testing follow
 * `Schema._cast`/`_validate`, `ObjectSchema._cast`/`_validate` and `ArraySchema._cast`/`_validate` of yup 1.x.
 * A schema using anything the compiler does not know (conditions, refs, lazy or tuple schemas, strict,
 * strip, noUnknown, tests other than the built-in ones listed below) is not compiled: `compileParse`
 * returns null.
 */
export type FastParse = (value: unknown) => unknown;

/** What a fast parse returns when yup must decide. */
export const UNDECIDED: unique symbol = Symbol('undecided');

/** Built-in tests that use only `this.schema`, `this.resolve` (of plain values) and `this.createError`. */
const KNOWN_TESTS = new Set([
  'typeError',
  'nullable',
  'optionality',
  'required',
  'defined',
  'oneOf',
  'notOneOf',
  'min',
  'max',
  'length',
  'integer',
  'trim',
  'lessThan',
  'moreThan',
]);

/** Why a schema was not compiled (null from `compileParse`). */
class Unsupported extends Error {}

/** A node's answer: the cast value, or UNDECIDED (invalid, or it cannot tell). */
type Node = (raw: unknown) => unknown;

interface TestFn {
  (this: unknown, value: unknown, ctx: unknown): unknown;
}
interface YupTest {
  OPTIONS: { name?: string; test: TestFn; params?: Record<string, unknown>; skipAbsent?: boolean };
}
/** The parts of yup's schema internals the compiler reads (they are public properties in yup 1.x). */
interface Internals {
  type: string;
  spec: { strict?: boolean; strip?: boolean; recursive?: boolean; default?: unknown };
  conditions: unknown[];
  transforms: ((this: unknown, value: unknown, raw: unknown, schema: unknown, options: unknown) => unknown)[];
  internalTests: Record<string, YupTest | undefined>;
  tests: YupTest[];
  _whitelist: Iterable<unknown>;
  _blacklist: Iterable<unknown>;
  _typeCheck(value: unknown): boolean;
  getDefault(options?: unknown): unknown;
  fields?: Record<string, unknown>;
  _nodes?: string[];
  innerType?: unknown;
}

const isRef = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && (v as { __isYupRef?: boolean }).__isYupRef === true;

/** The options yup passes to transforms and defaults while validating (ours ignore them). */
const CAST_OPTIONS = Object.freeze({ assert: false });

function compileTests(s: Internals): { tests: YupTest['OPTIONS'][]; ctx: unknown } {
  const all = [...Object.values(s.internalTests).filter((t): t is YupTest => !!t), ...s.tests];
  for (const t of all) {
    const o = t.OPTIONS;
    if (!o?.name || !KNOWN_TESTS.has(o.name)) throw new Unsupported(`test ${String(o?.name)}`);
    for (const p of Object.values(o.params ?? {})) if (isRef(p)) throw new Unsupported('a ref parameter');
  }
  for (const v of [...s._whitelist, ...s._blacklist]) if (isRef(v)) throw new Unsupported('a ref in oneOf');
  // The `this` of a test: what the known tests read. createError → false, which yup also treats as a failure.
  const ctx = { schema: s, path: '', options: {}, resolve: (v: unknown) => v, createError: () => false };
  return { tests: all.map((t) => t.OPTIONS), ctx };
}

function compileNode(schema: unknown): Node {
  const s = schema as Internals;
  const known =
    schema instanceof ObjectSchema ||
    schema instanceof ArraySchema ||
    schema instanceof StringSchema ||
    schema instanceof NumberSchema ||
    schema instanceof BooleanSchema ||
    schema instanceof MixedSchema;
  if (!known) throw new Unsupported('a lazy, tuple, date or unknown schema');
  if (s.conditions.length) throw new Unsupported('conditions (when)');
  if (
    s.spec.strict ||
    s.spec.strip ||
    s.spec.recursive === false ||
    (s.spec as { noUnknown?: boolean }).noUnknown
  )
    throw new Unsupported('strict, strip, noUnknown or recursive: false');
  const { transforms } = s;
  const { tests, ctx } = compileTests(s);
  // ObjectSchema invents a default from its fields; other schemas have one only when given.
  const hasDefault = schema instanceof ObjectSchema || s.spec.default !== undefined;

  // The children's cast, as ObjectSchema._cast and ArraySchema._cast build it (a new object or array; the
  // input is never changed). Keys the schema does not know are kept as sent.
  let children: ((value: unknown) => unknown) | null = null;
  if (schema instanceof ObjectSchema) {
    const keys = [...(s._nodes ?? [])];
    const known = new Set(keys);
    const fields = keys.map((k) => {
      const f = s.fields?.[k];
      if (isRef(f) || !f) throw new Unsupported('a ref field');
      return compileNode(f);
    });
    children = (value) => {
      const o = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i++) {
        const r = fields[i]!(o[keys[i]!]);
        if (r === UNDECIDED) return UNDECIDED;
        if (r !== undefined) out[keys[i]!] = r;
      }
      for (const k of Object.keys(o)) if (!known.has(k)) out[k] = o[k];
      return out;
    };
  } else if (schema instanceof ArraySchema && s.innerType) {
    const inner = compileNode(s.innerType);
    children = (value) => {
      const a = value as unknown[];
      const out = new Array<unknown>(a.length);
      for (let i = 0; i < a.length; i++) {
        if (!(i in a)) return UNDECIDED; // yup casts around holes; JSON has none
        const r = inner(a[i]);
        if (r === UNDECIDED) return UNDECIDED;
        out[i] = r;
      }
      return out;
    };
  }

  return (raw) => {
    // cast: transforms, default, then the children (yup casts the whole tree before it tests)
    let v = raw;
    if (v !== undefined)
      for (let i = 0; i < transforms.length; i++) v = transforms[i]!.call(s, v, raw, s, CAST_OPTIONS);
    if (v === undefined && hasDefault) v = s.getDefault(CAST_OPTIONS);
    if (children && s._typeCheck(v)) {
      v = children(v);
      if (v === UNDECIDED) return UNDECIDED;
    }
    // the node's own tests, on its cast value (its children were tested as they were cast)
    for (let i = 0; i < tests.length; i++) {
      const t = tests[i]!;
      if (t.skipAbsent && (v === undefined || v === null)) continue;
      const r = t.test.call(ctx, v, ctx);
      if (!r) return UNDECIDED;
      if (typeof (r as { then?: unknown }).then === 'function') return UNDECIDED;
    }
    return v;
  };
}

/** A fast parse for the schema, or null when it uses something the compiler does not know. */
export function compileParse(schema: Schema | AnySchema): FastParse | null {
  let node: Node;
  try {
    node = compileNode(schema);
  } catch (err) {
    if (err instanceof Unsupported) return null;
    throw err;
  }
  return (value) => {
    try {
      return node(value);
    } catch {
      return UNDECIDED; // yup decides (and throws what it throws)
    }
  };
}
