import type { InferType } from 'yup';
import { GroupAfterChangeGroupOwner } from './group/after-change-group-owner.js';
import { GroupAfterCreateGroup } from './group/after-create-group.js';
import { GroupAfterCreateTopic } from './group/after-create-topic.js';
import { GroupAfterGroupAttrChanged } from './group/after-group-attr-changed.js';
import { GroupAfterGroupDestroyed } from './group/after-group-destroyed.js';
import { GroupAfterGroupFull } from './group/after-group-full.js';
import { GroupAfterGroupInfoChanged } from './group/after-group-info-changed.js';
import { GroupAfterMemberExit } from './group/after-member-exit.js';
import { GroupAfterMemberFieldChanged } from './group/after-member-field-changed.js';
import { GroupAfterNewMemberJoin } from './group/after-new-member-join.js';
import { GroupAfterSendMsg } from './group/after-send-msg.js';
import { GroupAfterTopicDestroyed } from './group/after-topic-destroyed.js';
import { GroupAfterTopicInfoChanged } from './group/after-topic-info-changed.js';
import { GroupOnMemberStateChange } from './group/on-member-state-change.js';
import { ProfilePortraitSet } from './profile/portrait-set.js';
import { SnsBlackListAdd } from './sns/black-list-add.js';
import { SnsBlackListDelete } from './sns/black-list-delete.js';
import { SnsFriendAdd } from './sns/friend-add.js';
import { SnsFriendDelete } from './sns/friend-delete.js';
import { StateStateChange } from './state/state-change.js';

/**
 * The synced commands: after-callbacks the sync-worker applies to the stores, each with its schema. The
 * rules every stored body follows whatever its command (storable.ts) are checked by `parseBody` before the
 * schema. Adding one here breaks the worker's build until it has a handler.
 */
export const SYNCED_SCHEMAS = {
  'State.StateChange': StateStateChange,
  'Profile.CallbackPortraitSet': ProfilePortraitSet,
  'Sns.CallbackFriendAdd': SnsFriendAdd,
  'Sns.CallbackFriendDelete': SnsFriendDelete,
  'Sns.CallbackBlackListAdd': SnsBlackListAdd,
  'Sns.CallbackBlackListDelete': SnsBlackListDelete,
  'Group.CallbackAfterCreateGroup': GroupAfterCreateGroup,
  'Group.CallbackAfterNewMemberJoin': GroupAfterNewMemberJoin,
  'Group.CallbackAfterMemberExit': GroupAfterMemberExit,
  'Group.CallbackAfterGroupDestroyed': GroupAfterGroupDestroyed,
  'Group.CallbackAfterGroupInfoChanged': GroupAfterGroupInfoChanged,
  'Group.CallbackAfterChangeGroupOwner': GroupAfterChangeGroupOwner,
  'Group.CallbackAfterMemberFieldChanged': GroupAfterMemberFieldChanged,
  'Group.CallbackAfterGroupAttrChanged': GroupAfterGroupAttrChanged,
  'Group.CallbackAfterGroupFull': GroupAfterGroupFull,
  'Group.CallbackOnMemberStateChange': GroupOnMemberStateChange,
  'Group.CallbackAfterSendMsg': GroupAfterSendMsg,
  'Group.CallbackAfterCreateTopic': GroupAfterCreateTopic,
  'Group.CallbackAfterTopicDestroyed': GroupAfterTopicDestroyed,
  'Group.CallbackAfterTopicInfoChanged': GroupAfterTopicInfoChanged,
} as const;

export type SyncedCommand = keyof typeof SYNCED_SCHEMAS;
/** The normalised body of a synced command, as its schema casts it. */
export type EventOf<C extends SyncedCommand> = InferType<(typeof SYNCED_SCHEMAS)[C]>;

export const SYNCED_COMMANDS = Object.keys(SYNCED_SCHEMAS) as SyncedCommand[];

export function isSyncedCommand(command: string): command is SyncedCommand {
  return Object.prototype.hasOwnProperty.call(SYNCED_SCHEMAS, command);
}
