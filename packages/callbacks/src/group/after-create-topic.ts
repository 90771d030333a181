import { object, string, type InferType } from 'yup';
import { groupHead, keyValueList, groupIdAlias, optionalAccount, topicId } from '../common.js';

/** Group.CallbackAfterCreateTopic: a Community topic was created. */
export const GroupAfterCreateTopic = object({
  ...groupHead,
  TopicId: topicId().optional(),
  Owner_Account: optionalAccount(),
  Name: string().optional(),
  Introduction: string().optional(),
  Notification: string().optional(),
  FaceUrl: string().optional(),
  UserDefinedDataList: keyValueList().default([]),
}).transform(groupIdAlias());
export type GroupAfterCreateTopic = InferType<typeof GroupAfterCreateTopic>;
