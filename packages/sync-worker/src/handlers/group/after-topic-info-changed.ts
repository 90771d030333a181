import { write } from '../../stores/lww.js';
import { TOPIC, upsertTopics } from '../../stores/topics.js';
import { APPLIED, type Handler } from '../types.js';
import { groupKey, typeWrite } from './common.js';

/** Only the fields the event carries. Tencent documents no TopicId here: without one there is nothing to apply. */
export const afterTopicInfoChanged: Handler<'Group.CallbackAfterTopicInfoChanged'> = async (buffer, e) => {
  const ev = e.event;
  if (!ev.TopicId) return { skipped: 'no TopicId in the event: the topic cannot be identified' };
  const v = e.version;
  const writes = [
    ...(ev.Name !== undefined ? [write(TOPIC.name, v, { name: ev.Name })] : []),
    ...(ev.Introduction !== undefined
      ? [write(TOPIC.introduction, v, { introduction: ev.Introduction })]
      : []),
    ...(ev.Notification !== undefined
      ? [write(TOPIC.notification, v, { notification: ev.Notification })]
      : []),
    ...(ev.FaceUrl !== undefined ? [write(TOPIC.faceUrl, v, { face_url: ev.FaceUrl })] : []),
  ];
  if (writes.length === 0) return { skipped: 'no changed field in the event' };
  await upsertTopics(buffer, groupKey(e, ev.GroupId), e.version, typeWrite(e, ev.Type), [
    { topicId: ev.TopicId, writes },
  ]);
  return APPLIED;
};
