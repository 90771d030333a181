import type { InferType } from 'yup';
import { storable } from './common.js';
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
 * The synced commands: after-callbacks the sync-worker applies to the stores, each with its schema (and
 * the rule every stored body follows: no NUL character). Adding one here breaks the worker's build until
 * it has a handler.
 */
export const SYNCED_SCHEMAS = {
  'State.StateChange': storable(StateStateChange),
  'Profile.CallbackPortraitSet': storable(ProfilePortraitSet),
  'Sns.CallbackFriendAdd': storable(SnsFriendAdd),
  'Sns.CallbackFriendDelete': storable(SnsFriendDelete),
  'Sns.CallbackBlackListAdd': storable(SnsBlackListAdd),
  'Sns.CallbackBlackListDelete': storable(SnsBlackListDelete),
  'Group.CallbackAfterCreateGroup': storable(GroupAfterCreateGroup),
  'Group.CallbackAfterNewMemberJoin': storable(GroupAfterNewMemberJoin),
  'Group.CallbackAfterMemberExit': storable(GroupAfterMemberExit),
  'Group.CallbackAfterGroupDestroyed': storable(GroupAfterGroupDestroyed),
  'Group.CallbackAfterGroupInfoChanged': storable(GroupAfterGroupInfoChanged),
  'Group.CallbackAfterChangeGroupOwner': storable(GroupAfterChangeGroupOwner),
  'Group.CallbackAfterMemberFieldChanged': storable(GroupAfterMemberFieldChanged),
  'Group.CallbackAfterGroupAttrChanged': storable(GroupAfterGroupAttrChanged),
  'Group.CallbackAfterGroupFull': storable(GroupAfterGroupFull),
  'Group.CallbackOnMemberStateChange': storable(GroupOnMemberStateChange),
  'Group.CallbackAfterSendMsg': storable(GroupAfterSendMsg),
  'Group.CallbackAfterCreateTopic': storable(GroupAfterCreateTopic),
  'Group.CallbackAfterTopicDestroyed': storable(GroupAfterTopicDestroyed),
  'Group.CallbackAfterTopicInfoChanged': storable(GroupAfterTopicInfoChanged),
} as const;

export type SyncedCommand = keyof typeof SYNCED_SCHEMAS;
/** The normalised body of a synced command, as its schema casts it. */
export type EventOf<C extends SyncedCommand> = InferType<(typeof SYNCED_SCHEMAS)[C]>;

export const SYNCED_COMMANDS = Object.keys(SYNCED_SCHEMAS) as SyncedCommand[];

export function isSyncedCommand(command: string): command is SyncedCommand {
  return Object.prototype.hasOwnProperty.call(SYNCED_SCHEMAS, command);
}
