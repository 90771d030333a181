import { GROUP, upsertGroup } from '../../stores/groups.js';
import { write } from '../../stores/lww.js';
import { APPLIED, type Handler } from '../types.js';
import { groupKey, typeWrite } from './common.js';

/** Only the fields the event carries, each on its own. */
export const afterGroupInfoChanged: Handler<'Group.CallbackAfterGroupInfoChanged'> = async (buffer, e) => {
  const ev = e.event;
  const v = e.version;
  await upsertGroup(buffer, groupKey(e, ev.GroupId), [
    ...typeWrite(e, ev.Type),
    ...(ev.Name !== undefined ? [write(GROUP.name, v, { name: ev.Name })] : []),
    ...(ev.Introduction !== undefined
      ? [write(GROUP.introduction, v, { introduction: ev.Introduction })]
      : []),
    ...(ev.Notification !== undefined
      ? [write(GROUP.notification, v, { notification: ev.Notification })]
      : []),
    ...(ev.FaceUrl !== undefined ? [write(GROUP.faceUrl, v, { face_url: ev.FaceUrl })] : []),
  ]);
  return APPLIED;
};
