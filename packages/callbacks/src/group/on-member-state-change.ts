import { object, string, type InferType } from 'yup';
import { groupHead, memberList } from '../common.js';

/** Group.CallbackOnMemberStateChange: AVChatRoom members went Online or Offline. */
export const GroupOnMemberStateChange = object({
  ...groupHead,
  EventType: string().oneOf(['Online', 'Offline']).required(),
  EventCause: string().optional(),
  MemberList: memberList(),
}).from('groupID', 'GroupId');
export type GroupOnMemberStateChange = InferType<typeof GroupOnMemberStateChange>;
