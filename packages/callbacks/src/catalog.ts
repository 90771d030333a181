import type { JobsOptions } from 'bullmq';
import { isSyncedCommand, SYNCED_SCHEMAS, type SyncedCommand } from './synced.js';

export type CallbackKind = 'before' | 'after';

/**
 * The categories of Tencent IM's callback command list, and of its robot, official-account and push
 * callbacks.
 */
export type CallbackCategory =
  | 'Operations'
  | 'Online status'
  | 'Profile & relations'
  | 'Follow'
  | 'One-to-one'
  | 'Groups'
  | 'Moderation'
  | 'Robots'
  | 'Official accounts'
  | 'Push results';

/** The schema of a synced command. */
export type SyncedSchema = (typeof SYNCED_SCHEMAS)[SyncedCommand];

export interface CatalogEntry {
  readonly command: string;
  readonly category: CallbackCategory;
  /** `before`: Tencent waits for a decision; `after`: a notification whose answer Tencent ignores. */
  readonly kind: CallbackKind;
  /** Applied to the stores by the sync-worker (goes to the sync queue, validated by `schema`). */
  readonly synced: boolean;
  /** The synced command's schema; null for the others. */
  readonly schema: SyncedSchema | null;
  /**
   * The options of the job this command becomes: synced → sync queue, other after-callbacks → unrouted
   * queue; null for before-callbacks, which are answered at once and never enqueued.
   */
  readonly jobOptions: Readonly<JobsOptions> | null;
}

/** Queue names, under the configurable queue prefix. */
export const SYNC_QUEUE = 'sync';
export const UNROUTED_QUEUE = 'unrouted';

const HOUR = 3600;

/**
 * Job options for synced jobs: attempts, exponential backoff with jitter (1 s, 2 s, 4 s … each reduced by
 * up to 50 % at random) and retention by age and count. Producers take them from the catalog, never from
 * a call site.
 */
export const SYNC_JOB_OPTIONS: Readonly<JobsOptions> = Object.freeze({
  attempts: 10,
  backoff: Object.freeze({ type: 'exponential', delay: 1000, jitter: 0.5 }),
  removeOnComplete: Object.freeze({ age: 24 * HOUR, count: 100_000 }),
  removeOnFail: Object.freeze({ age: 14 * 24 * HOUR, count: 100_000 }),
});

/**
 * The options of a batch job (ingest's jobs of up to `maxBatch` callbacks): a synced job's, except that
 * completed batches are kept up to count / maxBatch jobs, so that completed retention still holds about as
 * many callbacks as it does jobs of one (Redis memory stays bounded alike). Failed batches keep the synced
 * jobs' count: a batch fails only when the worker could not re-add its failed callbacks as jobs of their own
 * (Redis refusing at that moment), and its failure must not trim the failed jobs an operator retries.
 */
export function batchJobOptions(maxBatch: number): Readonly<JobsOptions> {
  const completed = SYNC_JOB_OPTIONS.removeOnComplete as { age: number; count: number };
  return Object.freeze({
    ...SYNC_JOB_OPTIONS,
    removeOnComplete: Object.freeze({ ...completed, count: Math.ceil(completed.count / maxBatch) }),
  });
}

/** Job options for unrouted requests: kept for inspection, bounded by age and count. */
export const UNROUTED_JOB_OPTIONS: Readonly<JobsOptions> = Object.freeze({
  attempts: 1,
  removeOnComplete: Object.freeze({ age: 7 * 24 * HOUR, count: 10_000 }),
  removeOnFail: Object.freeze({ age: 7 * 24 * HOUR, count: 10_000 }),
});

const B = 'before';
const A = 'after';

/** Every callback command Tencent IM documents, by category. */
const COMMANDS: Readonly<Record<CallbackCategory, Readonly<Record<string, CallbackKind>>>> = {
  Operations: {
    'Alert.RequestOverLimit': A,
  },
  'Online status': {
    'State.StateChange': A,
  },
  'Profile & relations': {
    'Profile.CallbackPortraitSet': A,
    'Sns.CallbackPrevFriendAdd': B,
    'Sns.CallbackPrevFriendResponse': B,
    'Sns.CallbackFriendAdd': A,
    'Sns.CallbackFriendDelete': A,
    'Sns.CallbackBlackListAdd': A,
    'Sns.CallbackBlackListDelete': A,
  },
  Follow: {
    'Follow.CallbackAfterFollowAdd': A,
    'Follow.CallbackAfterFollowDelete': A,
  },
  'One-to-one': {
    'C2C.CallbackBeforeSendMsg': B,
    'C2C.CallbackAfterSendMsg': A,
    'C2C.CallbackAfterMsgReport': A,
    'C2C.CallbackAfterMsgWithDraw': A,
    'C2C.CallbackAfterC2CMsgExtension': A,
  },
  Groups: {
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
  },
  Moderation: {
    'ContentCallback.ResultNotify': A,
  },
  Robots: {
    'Bot.OnC2CMessage': A,
    'Bot.OnGroupMessage': A,
    'Chatbot.OnC2CSignalMessage': A,
  },
  'Official accounts': {
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
  },
  'Push results': {
    'Push.OfflinePush': A,
    'Push.AllMemberPush': A,
  },
};

function entryOf(command: string, category: CallbackCategory, kind: CallbackKind): CatalogEntry {
  const synced = isSyncedCommand(command);
  if (synced && kind !== 'after')
    throw new Error(`catalog: synced command ${command} must be an after-callback`);
  return Object.freeze({
    command,
    category,
    kind,
    synced,
    schema: synced ? SYNCED_SCHEMAS[command] : null,
    jobOptions: kind === 'before' ? null : synced ? SYNC_JOB_OPTIONS : UNROUTED_JOB_OPTIONS,
  });
}

/** The catalog, keyed by the Tencent command string. */
export const CATALOG: ReadonlyMap<string, CatalogEntry> = new Map(
  (Object.entries(COMMANDS) as [CallbackCategory, Record<string, CallbackKind>][]).flatMap(
    ([category, commands]) =>
      Object.entries(commands).map(([command, kind]) => [command, entryOf(command, category, kind)] as const),
  ),
);

for (const command of Object.keys(SYNCED_SCHEMAS)) {
  if (!CATALOG.has(command)) throw new Error(`catalog: synced command ${command} is not in the catalog`);
}

/** The catalog entry of a command, or undefined for a command Tencent does not document. */
export function lookupCommand(command: string): CatalogEntry | undefined {
  return CATALOG.get(command);
}

export function isBeforeCallback(command: string): boolean {
  return CATALOG.get(command)?.kind === 'before';
}

/** The options of a synced command's job, from its catalog entry. */
export function jobOptionsFor(command: SyncedCommand): Readonly<JobsOptions> {
  return CATALOG.get(command)?.jobOptions ?? SYNC_JOB_OPTIONS;
}

/** The options of an unrouted job: the catalog's for a documented after-callback, the same for any other. */
export function unroutedJobOptionsFor(command: string): Readonly<JobsOptions> {
  const entry = CATALOG.get(command);
  return entry && !entry.synced && entry.jobOptions ? entry.jobOptions : UNROUTED_JOB_OPTIONS;
}
