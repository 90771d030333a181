import { object, string, type InferType } from 'yup';
import { groupHead, keyValueList, groupIdAlias } from '../common.js';

/** Group.CallbackAfterCreateTopic: a Community topic was created. */
export const GroupAfterCreateTopic = object({
  ...groupHead,
  TopicId: string().optional(),
  Owner_Account: string().optional(),
  Name: string().optional(),
  Introduction: string().optional(),
  Notification: string().optional(),
  FaceUrl: string().optional(),
  UserDefinedDataList: keyValueList().default([]),
}).transform(groupIdAlias());
export type GroupAfterCreateTopic = InferType<typeof GroupAfterCreateTopic>;
