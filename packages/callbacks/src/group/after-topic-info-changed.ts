import { object, string, type InferType } from 'yup';
import { groupHead, groupIdAlias, topicId } from '../common.js';

/**
 * Group.CallbackAfterTopicInfoChanged: a topic's Name, Introduction, Notification or FaceUrl changed.
 * The docs show no `TopicId`; it is optional here and the worker skips an event without it.
 */
export const GroupAfterTopicInfoChanged = object({
  ...groupHead,
  TopicId: topicId().optional(),
  Name: string().optional(),
  Introduction: string().optional(),
  Notification: string().optional(),
  FaceUrl: string().optional(),
}).transform(groupIdAlias());
export type GroupAfterTopicInfoChanged = InferType<typeof GroupAfterTopicInfoChanged>;
