import fc from 'fast-check';

/** `{"a":[{"a":[ … 0 … ]}]}` as JSON text, `depth` levels deep, built without recursion. */
export function deepJson(depth: number): string {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    open += i % 2 ? '[' : '{"a":';
    close = (i % 2 ? ']' : '}') + close;
  }
  return `${open}0${close}`;
}

export interface MutateOptions {
  /** What a part of the value may become instead. */
  readonly tricky: fc.Arbitrary<unknown>;
  /** Keys an object may gain (with a `tricky` value). */
  readonly extraKeys: readonly string[];
  /** How much likelier a part is kept (or changed within) than replaced by `tricky`. Default 8. */
  readonly rate?: number;
}

/**
 * A copy of `value` with some parts kept, some changed, some removed or replaced by `tricky`, and some
 * objects given extra keys (two at most at the top, one below): the bodies of a property test that must
 * hold for anything a client could send. Down to 5 levels; deeper parts are kept or replaced whole.
 */
export function mutated(value: unknown, opts: MutateOptions, depth = 0): fc.Arbitrary<unknown> {
  const { tricky, extraKeys, rate = 8 } = opts;
  const keep = fc.constant(value);
  if (depth > 4) return fc.oneof(keep, tricky);
  if (Array.isArray(value)) {
    const items = value.map((v) => mutated(v, opts, depth + 1));
    const changed = fc.tuple(...items).chain((xs) =>
      fc.oneof(
        fc.constant(xs),
        fc.constant(xs.slice(1)),
        tricky.map((extra) => [...xs, extra]),
      ),
    );
    return fc.oneof(
      { weight: rate, arbitrary: value.length ? changed : keep },
      { weight: 1, arbitrary: tricky },
    );
  }
  if (value && typeof value === 'object') {
    const fields = Object.entries(value as Record<string, unknown>).map(([k, v]) =>
      fc.oneof(
        { weight: rate * 2, arbitrary: mutated(v, opts, depth + 1).map((x) => [k, x] as const) },
        { weight: 1, arbitrary: fc.constant(null) }, // removed
      ),
    );
    const extras = fc.array(fc.tuple(fc.constantFrom(...extraKeys), tricky), {
      maxLength: depth === 0 ? 2 : 1,
    });
    const changed = fc.tuple(fc.tuple(...fields), extras).map(([kept, added]) => {
      const o: Record<string, unknown> = {};
      for (const e of kept) if (e) o[e[0]] = e[1];
      for (const [k, v] of added) o[k] = v;
      return o;
    });
    return fc.oneof({ weight: rate * 2, arbitrary: changed }, { weight: 1, arbitrary: tricky });
  }
  return fc.oneof({ weight: rate, arbitrary: keep }, { weight: 1, arbitrary: tricky });
}
