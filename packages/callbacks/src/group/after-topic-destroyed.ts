import { array, object, type InferType } from 'yup';
import { groupHead, groupIdAlias, idTooLong, MAX_TOPIC_ID_LENGTH, trimmed } from '../common.js';

/** Group.CallbackAfterTopicDestroyed: topics were dismissed (`TopicIdList`; a lone `TopicId` is accepted). */
export const GroupAfterTopicDestroyed = object({
  ...groupHead,
  TopicIdList: array()
    .of(trimmed().required().max(MAX_TOPIC_ID_LENGTH, idTooLong('topic ID')))
    .default([]),
})
  .transform(groupIdAlias())
  .transform((v: Record<string, unknown> | undefined) => {
    if (v && typeof v.TopicId === 'string' && v.TopicIdList === undefined)
      return { ...v, TopicIdList: [v.TopicId] };
    if (v && typeof v.TopicIdList === 'string') return { ...v, TopicIdList: [v.TopicIdList] };
    return v;
  });
export type GroupAfterTopicDestroyed = InferType<typeof GroupAfterTopicDestroyed>;
