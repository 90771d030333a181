import { object, string, type InferType } from 'yup';
import { groupHead, groupIdAlias } from '../common.js';

/**
 * Group.CallbackAfterGroupInfoChanged: Name, Introduction, Notification or FaceUrl changed. Only the
 * fields that changed are carried; each is optional.
 */
export const GroupAfterGroupInfoChanged = object({
  ...groupHead,
  Name: string().optional(),
  Introduction: string().optional(),
  Notification: string().optional(),
  FaceUrl: string().optional(),
}).transform(groupIdAlias());
export type GroupAfterGroupInfoChanged = InferType<typeof GroupAfterGroupInfoChanged>;
