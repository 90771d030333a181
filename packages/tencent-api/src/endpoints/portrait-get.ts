import { array, object, string, type InferType } from 'yup';
import { envelope, int, scalarOrList } from './common.js';

/** `profile/portrait_get` request: at most 100 accounts (the client splits longer lists). */
export interface PortraitGetRequest {
  To_Account: string[];
  /** `Tag_Profile_IM_*` and `Tag_Profile_Custom_*` tags. */
  TagList: string[];
}

export const ProfileItem = object({ Tag: string().required(), Value: scalarOrList().defined() });
export type ProfileItem = InferType<typeof ProfileItem>;

export const UserProfileItem = object({
  To_Account: string().required(),
  ProfileItem: array().of(ProfileItem).defined().default([]),
  ResultCode: int().defined().default(0),
  ResultInfo: string().defined().default(''),
});
export type UserProfileItem = InferType<typeof UserProfileItem>;

export const PortraitGetResponse = object({
  ...envelope,
  UserProfileItem: array().of(UserProfileItem).defined().default([]),
  Fail_Account: array().of(string().required()).optional(),
  ErrorDisplay: string().optional(),
});
export type PortraitGetResponse = InferType<typeof PortraitGetResponse>;
