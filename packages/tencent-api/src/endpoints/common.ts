import { array, mixed, number, object, string } from 'yup';

/**
 * The envelope of every answer. `ErrorCode` is the truth: some official samples omit `ActionStatus` or
 * `ErrorInfo`. Unknown fields are kept (no `stripUnknown`), so fields Tencent adds later reach the caller.
 */
export const envelope = {
  ActionStatus: string().optional(),
  ErrorCode: number().integer().required(),
  ErrorInfo: string().defined().default(''),
};

/** A value that is a string or a number (profile and friend values are uint or string). */
export const scalarOrList = () =>
  mixed<string | number | string[]>(
    (v): v is string | number | string[] =>
      typeof v === 'string' ||
      typeof v === 'number' ||
      (Array.isArray(v) && v.every((x) => typeof x === 'string')),
  ).typeError('${path} must be a string, a number or a list of strings');

/** `[{ "Key": "k", "Value": "v" }]` (group and member custom data). */
export const keyValueList = () =>
  array()
    .of(object({ Key: string().required(), Value: string().defined().default('') }))
    .optional();

/** A whole number of seconds or a sequence (Tencent's Integer fields). */
export const int = () => number().integer();
