import { array, object, string, type InferType } from 'yup';
import { envelope, int } from './common.js';

/** `im_open_login_svc/account_check` request: at most 100 accounts (the client splits longer lists). */
export interface AccountCheckRequest {
  CheckItem: { UserID: string }[];
}

export const AccountCheckItem = object({
  UserID: string().required(),
  ResultCode: int().defined().default(0),
  ResultInfo: string().defined().default(''),
  /** Imported | NotImported */
  AccountStatus: string().optional(),
});
export type AccountCheckItem = InferType<typeof AccountCheckItem>;

export const AccountCheckResponse = object({
  ...envelope,
  ResultItem: array().of(AccountCheckItem).defined().default([]),
});
export type AccountCheckResponse = InferType<typeof AccountCheckResponse>;
