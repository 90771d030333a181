import { object, string, type InferType } from 'yup';
import { account, groupHead, keyValueList, memberList, groupIdAlias, optionalAccount } from '../common.js';

/** Group.CallbackAfterCreateGroup: a group was created (client or REST). */
export const GroupAfterCreateGroup = object({
  ...groupHead,
  Type: string().required(),
  Operator_Account: account(),
  Owner_Account: optionalAccount(),
  Name: string().defined().default(''),
  Introduction: string().optional(),
  Notification: string().optional(),
  FaceUrl: string().optional(),
  MemberList: memberList().default([]),
  UserDefinedDataList: keyValueList().default([]),
}).transform(groupIdAlias());
export type GroupAfterCreateGroup = InferType<typeof GroupAfterCreateGroup>;
