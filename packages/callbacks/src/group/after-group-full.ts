import { object, type InferType } from 'yup';
import { groupHead, groupIdAlias, topicId } from '../common.js';

/** Group.CallbackAfterGroupFull: a join filled the group (or failed because it was full). */
export const GroupAfterGroupFull = object({
  ...groupHead,
  TopicId: topicId().optional(),
}).transform(groupIdAlias());
export type GroupAfterGroupFull = InferType<typeof GroupAfterGroupFull>;
