import type { JobsOptions } from 'bullmq';
import { isSyncedCommand, type SyncedCommand } from './synced.js';

export type CallbackKind = 'before' | 'after';
export type CallbackCategory =
  | 'Alert'
  | 'State'
  | 'Profile'
  | 'Sns'
  | 'Follow'
  | 'C2C'
  | 'Group'
  | 'ContentCallback'
  | 'Bot'
  | 'OfficialAccount'
  | 'Push';

export interface CatalogEntry {
  readonly command: string;
  readonly category: CallbackCategory;
  readonly kind: CallbackKind;
  /** Applied to the stores by the sync-worker. */
  readonly synced: boolean;
}

const B = 'before';
const A = 'after';

/** Every command Tencent documents (PROTOCOL.md §2 and the robot, official-account and push sections). */
const KINDS: Readonly<Record<string, CallbackKind>> = {
  'Alert.RequestOverLimit': A,
  'State.StateChange': A,
  'Profile.CallbackPortraitSet': A,
  'Sns.CallbackPrevFriendAdd': B,
  'Sns.CallbackPrevFriendResponse': B,
  'Sns.CallbackFriendAdd': A,
  'Sns.CallbackFriendDelete': A,
  'Sns.CallbackBlackListAdd': A,
  'Sns.CallbackBlackListDelete': A,
  'Follow.CallbackAfterFollowAdd': A,
  'Follow.CallbackAfterFollowDelete': A,
  'C2C.CallbackBeforeSendMsg': B,
  'C2C.CallbackAfterSendMsg': A,
  'C2C.CallbackAfterMsgReport': A,
  'C2C.CallbackAfterMsgWithDraw': A,
  'C2C.CallbackAfterC2CMsgExtension': A,
  'Group.CallbackBeforeCreateGroup': B,
  'Group.CallbackAfterCreateGroup': A,
  'Group.CallbackBeforeApplyJoinGroup': B,
  'Group.CallbackBeforeInviteJoinGroup': B,
  'Group.CallbackAfterNewMemberJoin': A,
  'Group.CallbackAfterMemberExit': A,
  'Group.CallbackBeforeSendMsg': B,
  'Group.CallbackAfterSendMsg': A,
  'Group.CallbackAfterGroupFull': A,
  'Group.CallbackAfterGroupDestroyed': A,
  'Group.CallbackAfterGroupInfoChanged': A,
  'Group.CallbackOnMemberStateChange': A,
  'Group.CallbackSendMsgException': A,
  'Group.CallbackBeforeCreateTopic': B,
  'Group.CallbackAfterCreateTopic': A,
  'Group.CallbackAfterTopicDestroyed': A,
  'Group.CallbackAfterTopicInfoChanged': A,
  'Group.CallbackAfterMemberFieldChanged': A,
  'Group.CallbackAfterGroupAttrChanged': A,
  'Group.CallbackAfterReadReceipt': A,
  'Group.CallbackAfterChangeGroupOwner': A,
  'Group.CallbackOnDailyGroupQuotaAlarm': A,
  'Group.CallbackAfterGroupMsgExtension': A,
  'Group.CallbackAfterRecallMsg': A,
  'ContentCallback.ResultNotify': A,
  'Bot.OnC2CMessage': A,
  'Bot.OnGroupMessage': A,
  'Chatbot.OnC2CSignalMessage': A,
  'OfficialAccount.CallbackBeforeCreateOfficialAccount': B,
  'OfficialAccount.CallbackAfterCreateOfficialAccount': A,
  'OfficialAccount.CallbackAfterOfficialAccountInfoChanged': A,
  'OfficialAccount.CallbackAfterOfficialAccountDestroyed': A,
  'OfficialAccount.CallbackBeforeAddSubscriber': B,
  'OfficialAccount.CallbackAfterAddSubscriber': A,
  'OfficialAccount.CallbackAfterOfficialAccountFull': A,
  'OfficialAccount.CallbackAfterDeleteSubscriber': A,
  'OfficialAccount.CallbackBeforeSendMsg': B,
  'OfficialAccount.CallbackAfterSendMsg': A,
  'OfficialAccount.CallbackAfterMsgWithDraw': A,
  'Push.OfflinePush': A,
  'Push.AllMemberPush': A,
};

function categoryOf(command: string): CallbackCategory {
  const prefix = command.slice(0, command.indexOf('.'));
  return (prefix === 'Chatbot' ? 'Bot' : prefix) as CallbackCategory;
}

/** The catalog, keyed by the Tencent command string. */
export const CATALOG: ReadonlyMap<string, CatalogEntry> = new Map(
  Object.entries(KINDS).map(([command, kind]) => [
    command,
    Object.freeze({ command, category: categoryOf(command), kind, synced: isSyncedCommand(command) }),
  ]),
);

/** The catalog entry of a command, or undefined for a command Tencent does not document. */
export function lookupCommand(command: string): CatalogEntry | undefined {
  return CATALOG.get(command);
}

export function isBeforeCallback(command: string): boolean {
  return CATALOG.get(command)?.kind === 'before';
}

/** Queue names, under the configurable queue prefix. */
export const SYNC_QUEUE = 'sync';
export const UNROUTED_QUEUE = 'unrouted';

const HOUR = 3600;

/**
 * Job options for synced jobs: attempts, exponential backoff with jitter and retention by age and count.
 * Producers take them from here, never from a call site.
 */
export const SYNC_JOB_OPTIONS: Readonly<JobsOptions> = Object.freeze({
  attempts: 10,
  backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
  removeOnComplete: { age: 24 * HOUR, count: 100_000 },
  removeOnFail: { age: 14 * 24 * HOUR, count: 100_000 },
});

/** Job options for unrouted requests: kept for inspection, bounded by age and count. */
export const UNROUTED_JOB_OPTIONS: Readonly<JobsOptions> = Object.freeze({
  attempts: 1,
  removeOnComplete: { age: 7 * 24 * HOUR, count: 10_000 },
  removeOnFail: { age: 7 * 24 * HOUR, count: 10_000 },
});

/** The options of a synced command's job (one table today; per-command overrides go here). */
export function jobOptionsFor(_command: SyncedCommand): Readonly<JobsOptions> {
  return SYNC_JOB_OPTIONS;
}
