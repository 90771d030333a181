import { array, mixed, number, object, string, type AnyObjectSchema, type TestContext } from 'yup';

/**
 * A string with surrounding white space removed. (yup's own `trim()` throws a TypeError on a non-string,
 * such as an array, instead of reporting the field: this one leaves it to the type check.)
 */
export const trimmed = () => string().transform((v: unknown) => (typeof v === 'string' ? v.trim() : v));

/** A Tencent user ID (`*_Account`). */
export const account = () => trimmed().required();

/**
 * `EventTime`: milliseconds since the epoch. The docs type it as Integer but many samples quote it
 * (`"1670574414123"`); yup's number cast accepts both and rejects anything that is not a whole number.
 */
export const eventTime = () =>
  number()
    .typeError('${path} must be a number of milliseconds (a number or a numeric string)')
    .integer()
    .min(0)
    // the last millisecond of year 9999: beyond it a time is no date at all
    .max(253_402_300_799_999, '${path} must be a time before the year 10000 (milliseconds)');

/** `[{ "Member_Account": "bob" }]` */
export const memberList = () =>
  array()
    .of(object({ Member_Account: account() }))
    .required();

/**
 * A transform that moves a documented alias `from` to its canonical name `to` (`groupID` → `GroupId`).
 * When both are present the canonical one wins; the alias never reaches the typed event.
 */
export const renameKey =
  (from: string, to: string) =>
  (value: unknown): unknown => {
    if (!value || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, from))
      return value;
    const { [from]: aliased, ...rest } = value as Record<string, unknown>;
    return rest[to] !== undefined ? rest : { ...rest, [to]: aliased };
  };

/**
 * `[{ "Key": "k", "Value": "v" }]` (group and topic custom fields). `GroupAttr` sends lower-case
 * `key`/`value`: they become `Key`/`Value`.
 */
export const keyValueList = () =>
  array().of(
    object({
      Key: string().required(),
      Value: string().defined().default(''),
    })
      .transform(renameKey('key', 'Key'))
      .transform(renameKey('value', 'Value')),
  );

/** A group ID; the English docs write `groupID` where the samples write `GroupId`. */
export const groupId = () => trimmed().required();

/** A string or a number, kept as sent (profile values are uint32 or string). */
export const scalar = () =>
  mixed<string | number>(
    (v): v is string | number => typeof v === 'string' || typeof v === 'number',
  ).typeError('${path} must be a string or a number');

/** The common head of every group event: `GroupId` (alias `groupID`), `Type`, operator and time. */
export const groupHead = {
  GroupId: groupId(),
  Type: string().optional(),
  Operator_Account: string().optional(),
  EventTime: eventTime().optional(),
};

/** Accepts the English docs' `groupID` for `GroupId`. */
export const groupIdAlias = () => renameKey('groupID', 'GroupId');

/** Whether any string or key in `value` holds U+0000 (allocates nothing: it runs on every body). */
function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (hasNul(value[i])) return true;
    return false;
  }
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const k in o) {
      if (Object.hasOwn(o, k) && (k.includes('\u0000') || hasNul(o[k]))) return true;
    }
  }
  return false;
}

/** The path of the first string or key in `value` that holds U+0000, or null. */
function nulPath(value: unknown, path: string): string | null {
  if (!hasNul(value)) return null;
  if (typeof value === 'string') return path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = nulPath(value[i], `${path}[${i}]`);
      if (p !== null) return p;
    }
    return null;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const here = path ? `${path}.${k}` : k;
    if (k.includes('\u0000')) return here;
    const p = nulPath(v, here);
    if (p !== null) return p;
  }
  return null;
}

/**
 * PostgreSQL's text and jsonb cannot hold U+0000: a body with one anywhere (a value or a key, known field
 * or not) could never be stored, so it is refused with the field that holds it, rather than acknowledged
 * and then failed by the worker.
 */
export function storable<S extends AnyObjectSchema>(schema: S): S {
  return schema.test({
    name: 'noNulText',
    test(this: TestContext, value: unknown) {
      const p = nulPath(value, '');
      if (p === null) return true;
      const message = `${p} must not contain a NUL character (U+0000): PostgreSQL cannot store it`;
      return this.createError({ path: p, message: () => message });
    },
  });
}
