import { SYNCED_COMMANDS } from '@imsync/callbacks';
import { afterChangeGroupOwner } from './group/after-change-group-owner.js';
import { afterCreateGroup } from './group/after-create-group.js';
import { afterCreateTopic } from './group/after-create-topic.js';
import { afterGroupAttrChanged } from './group/after-group-attr-changed.js';
import { afterGroupDestroyed } from './group/after-group-destroyed.js';
import { afterGroupFull } from './group/after-group-full.js';
import { afterGroupInfoChanged } from './group/after-group-info-changed.js';
import { afterMemberExit } from './group/after-member-exit.js';
import { afterMemberFieldChanged } from './group/after-member-field-changed.js';
import { afterNewMemberJoin } from './group/after-new-member-join.js';
import { afterSendMsg } from './group/after-send-msg.js';
import { afterTopicDestroyed } from './group/after-topic-destroyed.js';
import { afterTopicInfoChanged } from './group/after-topic-info-changed.js';
import { onMemberStateChange } from './group/on-member-state-change.js';
import { portraitSet } from './profile/portrait-set.js';
import { blackListAdd } from './sns/black-list-add.js';
import { blackListDelete } from './sns/black-list-delete.js';
import { friendAdd } from './sns/friend-add.js';
import { friendDelete } from './sns/friend-delete.js';
import { stateChange } from './state/state-change.js';
import type { HandlerTable } from './types.js';

/** The handler of every synced command (a missing one is a compile error). */
export const HANDLERS: HandlerTable = {
  'State.StateChange': stateChange,
  'Profile.CallbackPortraitSet': portraitSet,
  'Sns.CallbackFriendAdd': friendAdd,
  'Sns.CallbackFriendDelete': friendDelete,
  'Sns.CallbackBlackListAdd': blackListAdd,
  'Sns.CallbackBlackListDelete': blackListDelete,
  'Group.CallbackAfterCreateGroup': afterCreateGroup,
  'Group.CallbackAfterNewMemberJoin': afterNewMemberJoin,
  'Group.CallbackAfterMemberExit': afterMemberExit,
  'Group.CallbackAfterGroupDestroyed': afterGroupDestroyed,
  'Group.CallbackAfterGroupInfoChanged': afterGroupInfoChanged,
  'Group.CallbackAfterChangeGroupOwner': afterChangeGroupOwner,
  'Group.CallbackAfterMemberFieldChanged': afterMemberFieldChanged,
  'Group.CallbackAfterGroupAttrChanged': afterGroupAttrChanged,
  'Group.CallbackAfterGroupFull': afterGroupFull,
  'Group.CallbackOnMemberStateChange': onMemberStateChange,
  'Group.CallbackAfterSendMsg': afterSendMsg,
  'Group.CallbackAfterCreateTopic': afterCreateTopic,
  'Group.CallbackAfterTopicDestroyed': afterTopicDestroyed,
  'Group.CallbackAfterTopicInfoChanged': afterTopicInfoChanged,
};

/**
 * The start-up check behind the compiler's: throws, naming them, when synced commands have no handler
 * (a table built at run time, or a catalog newer than the build).
 */
export function assertEveryCommandHandled(
  handlers: Readonly<Record<string, unknown>> = HANDLERS,
  commands: readonly string[] = SYNCED_COMMANDS,
): void {
  const missing = commands.filter((c) => typeof handlers[c] !== 'function');
  if (missing.length) throw new Error(`no handler for synced command(s): ${missing.join(', ')}`);
}
