/**
 * The rules every body imsync keeps must follow, whatever its command: checked in one iterative walk of the
 * body as JSON.parse gave it, before any schema casts it, so that a body no store could hold is refused with
 * the field that holds the problem rather than acknowledged and failed later (or crashing the check itself).
 */

/** How deeply a body may nest objects and arrays (the body itself is level 1). */
export const MAX_BODY_DEPTH = 32;

/**
 * Which rules apply:
 * - `stores`: a synced callback, applied to PostgreSQL: every rule below.
 * - `queue`: a callback kept on the unrouted queue as sent (Redis and the dashboard, no PostgreSQL):
 *   nesting and finite numbers only.
 */
export type StorableRules = 'stores' | 'queue';

/**
 * Names of Object.prototype's own properties (`__proto__`, `constructor`, `toString`, `valueOf`,
 * `hasOwnProperty` …). As keys, they make a schema's cast call what is no function (a field `{"toString":1}`
 * where a string is expected) or look a field up on the prototype: no Tencent body uses them.
 */
const BUILT_IN_KEYS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/** A path segment longer than this is cut in messages (the answer never echoes a huge key). */
const SEGMENT_SHOWN = 64;

interface Frame {
  readonly value: object;
  readonly parent: Frame | null;
  readonly key: string | number;
  readonly depth: number;
}

/** `a.b[0].c`, as yup names a field; built only for a message. */
function pathOf(frame: Frame | null, key: string | number): string {
  const segments: (string | number)[] = [key];
  for (let f = frame; f && f.parent; f = f.parent) segments.push(f.key);
  let path = '';
  for (let i = segments.length - 1; i >= 0; i--) {
    const s = segments[i]!;
    if (typeof s === 'number') path += `[${s}]`;
    else {
      const shown = s.length > SEGMENT_SHOWN ? `${s.slice(0, SEGMENT_SHOWN)}…` : s;
      path += path ? `.${shown}` : shown;
    }
  }
  return path;
}

interface WellFormed {
  isWellFormed(): boolean;
}

/** Why PostgreSQL could not store this text, or null. */
function textProblem(s: string): string | null {
  if (s.indexOf('\u0000') !== -1)
    return 'must not contain a NUL character (U+0000): PostgreSQL cannot store it';
  if (!(s as unknown as WellFormed).isWellFormed())
    return 'must not contain a lone UTF-16 surrogate (an unpaired \\ud800–\\udfff): it is no Unicode text, PostgreSQL cannot store it';
  return null;
}

const NOT_FINITE = 'must be a finite number: a JSON number beyond ±1.8e308 (such as 1e400) cannot be stored';
const TOO_DEEP = `is nested deeper than ${MAX_BODY_DEPTH} levels of objects and arrays`;
const BUILT_IN_KEY =
  'is a key imsync refuses: it names a built-in property of JavaScript objects (toString, constructor …)';

/** A value inside `frame`: its problem, or null (an object or array is pushed, to be walked). */
function childProblem(
  stack: Frame[],
  frame: Frame,
  value: unknown,
  key: string | number,
  text: boolean,
): string | null {
  if (typeof value === 'string') {
    const p = text ? textProblem(value) : null;
    return p && `${pathOf(frame, key)} ${p}`;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? null : `${pathOf(frame, key)} ${NOT_FINITE}`;
  if (value !== null && typeof value === 'object') {
    if (frame.depth >= MAX_BODY_DEPTH) return `${pathOf(frame, key)} ${TOO_DEEP}`;
    stack.push({ value, parent: frame, key, depth: frame.depth + 1 });
  }
  return null;
}

/**
 * The first problem found in `body` under `rules`, as `<path> <what is wrong>` (the form of yup's messages),
 * or null when the body may be kept. Never recurses: a body nested 10,000 levels costs 33 steps.
 */
export function unstorableReason(body: unknown, rules: StorableRules): string | null {
  const text = rules === 'stores';
  if (body === null || typeof body !== 'object') {
    const root: Frame = { value: {}, parent: null, key: '', depth: 0 };
    return childProblem([], root, body, 'body', text);
  }
  const stack: Frame[] = [{ value: body, parent: null, key: '', depth: 1 }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const v = frame.value;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const p = childProblem(stack, frame, v[i], i, text);
        if (p !== null) return p;
      }
      continue;
    }
    const o = v as Record<string, unknown>;
    for (const k in o) {
      if (!Object.hasOwn(o, k)) continue;
      if (text) {
        if (BUILT_IN_KEYS.has(k)) return `${pathOf(frame, k)} ${BUILT_IN_KEY}`;
        const p = textProblem(k);
        if (p !== null) return `${pathOf(frame, k)} ${p}`;
      }
      const p = childProblem(stack, frame, o[k], k, text);
      if (p !== null) return p;
    }
  }
  return null;
}
