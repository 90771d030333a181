import { array, mixed, number, object, string } from 'yup';

/**
 * A string with surrounding white space removed. (yup's own `trim()` throws a TypeError on a non-string,
 * such as an array, instead of reporting the field: this one leaves it to the type check.)
 */
export const trimmed = () => string().transform((v: unknown) => (typeof v === 'string' ? v.trim() : v));

/**
 * The longest IDs imsync accepts, in UTF-16 code units. Tencent allows 32 bytes for a user ID and 48 for a
 * custom group ID; these leave room for a limit Tencent may raise, and keep the widest primary key of the
 * stores (app, group ID, topic ID) far below PostgreSQL's limit for an index row (about 2,700 bytes): at
 * most 3 bytes of UTF-8 per code unit, 8 + 3 × (128 + 256) bytes.
 */
export const MAX_ACCOUNT_LENGTH = 128;
export const MAX_GROUP_ID_LENGTH = 128;
/** A topic ID holds its group's ID (`<GroupId>@TOPIC#_<id>`). */
export const MAX_TOPIC_ID_LENGTH = 256;

/** The message of an ID over its limit (yup fills in the path and the limit). */
export const idTooLong = (what: string) =>
  `\${path} must be at most \${max} characters: no Tencent ${what} is longer`;

/** A Tencent user ID (`*_Account`). */
export const account = () => trimmed().required().max(MAX_ACCOUNT_LENGTH, idTooLong('user ID'));

/** A user ID that may be absent (an operator, an initiator …), kept as sent. */
export const optionalAccount = () => string().optional().max(MAX_ACCOUNT_LENGTH, idTooLong('user ID'));

/** A topic ID, kept as sent. */
export const topicId = () => string().max(MAX_TOPIC_ID_LENGTH, idTooLong('topic ID'));

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
export const groupId = () => trimmed().required().max(MAX_GROUP_ID_LENGTH, idTooLong('group ID'));

/** A string or a number, kept as sent (profile values are uint32 or string). */
export const scalar = () =>
  mixed<string | number>(
    (v): v is string | number => typeof v === 'string' || typeof v === 'number',
  ).typeError('${path} must be a string or a number');

/** The common head of every group event: `GroupId` (alias `groupID`), `Type`, operator and time. */
export const groupHead = {
  GroupId: groupId(),
  Type: string().optional(),
  Operator_Account: optionalAccount(),
  EventTime: eventTime().optional(),
};

/** Accepts the English docs' `groupID` for `GroupId`. */
export const groupIdAlias = () => renameKey('groupID', 'GroupId');
