import { array, mixed, number, object, string } from 'yup';

/** A Tencent user ID (`*_Account`). */
export const account = () => string().trim().min(1).required();

/**
 * `EventTime`: milliseconds since the epoch. The docs type it as Integer but many samples quote it
 * (`"1670574414123"`); yup's number cast accepts both and rejects anything that is not a whole number.
 */
export const eventTime = () =>
  number()
    .typeError('${path} must be a number of milliseconds (a number or a numeric string)')
    .integer()
    .min(0);

/** `[{ "Member_Account": "bob" }]` */
export const memberList = () =>
  array()
    .of(object({ Member_Account: account() }))
    .required();

/** `[{ "Key": "k", "Value": "v" }]` (group and topic custom fields). Lower-case keys are accepted too. */
export const keyValueList = () =>
  array().of(
    object({
      Key: string().required(),
      Value: string().defined().default(''),
    })
      .from('key', 'Key')
      .from('value', 'Value'),
  );

/** A group ID; the English docs write `groupID` where the samples write `GroupId`. */
export const groupId = () => string().trim().min(1).required();

/** A string or a number, kept as sent (profile values are uint32 or string). */
export const scalar = () =>
  mixed<string | number>((v): v is string | number => typeof v === 'string' || typeof v === 'number');

/** The common head of every group event: `GroupId` (alias `groupID`) and `Type`. */
export const groupHead = {
  GroupId: groupId(),
  Type: string().optional(),
  Operator_Account: string().optional(),
  EventTime: eventTime().optional(),
};
