import { object, string, type InferType } from 'yup';
import { groupHead, memberList, groupIdAlias } from '../common.js';

/** Group.CallbackOnMemberStateChange: AVChatRoom members went Online or Offline. */
export const GroupOnMemberStateChange = object({
  ...groupHead,
  EventType: string().oneOf(['Online', 'Offline']).required(),
  EventCause: string().optional(),
  MemberList: memberList(),
}).transform(groupIdAlias());
export type GroupOnMemberStateChange = InferType<typeof GroupOnMemberStateChange>;
