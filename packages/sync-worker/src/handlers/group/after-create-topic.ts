import { write } from '../../stores/lww.js';
import { TOPIC, upsertTopics } from '../../stores/topics.js';
import { APPLIED, atOf, type Handler } from '../types.js';
import { groupKey, typeWrite } from './common.js';

/** A topic is created (alive again if it had been destroyed before). */
export const afterCreateTopic: Handler<'Group.CallbackAfterCreateTopic'> = async (buffer, e) => {
  const ev = e.event;
  if (!ev.TopicId) return { skipped: 'no TopicId in the event' };
  const v = e.version;
  const customData = Object.fromEntries((ev.UserDefinedDataList ?? []).map((d) => [d.Key, d.Value]));
  await upsertTopics(buffer, groupKey(e, ev.GroupId), e.version, typeWrite(e, ev.Type), [
    {
      topicId: ev.TopicId,
      writes: [
        write(TOPIC.name, v, { name: ev.Name ?? null }),
        write(TOPIC.introduction, v, { introduction: ev.Introduction ?? null }),
        write(TOPIC.notification, v, { notification: ev.Notification ?? null }),
        write(TOPIC.faceUrl, v, { face_url: ev.FaceUrl ?? null }),
        write(TOPIC.owner, v, { owner_account: ev.Owner_Account ?? null }),
        write(TOPIC.created, v, { created_at: atOf(e), custom_data: customData }),
      ],
    },
  ]);
  return APPLIED;
};
