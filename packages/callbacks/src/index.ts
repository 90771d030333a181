export {
  okAnswer,
  failAnswer,
  rejectionAnswer,
  REJECTIONS,
  type Answer,
  type RejectionReason,
} from './answer.js';
export {
  CATALOG,
  lookupCommand,
  isBeforeCallback,
  jobOptionsFor,
  batchJobOptions,
  unroutedJobOptionsFor,
  SYNC_JOB_OPTIONS,
  UNROUTED_JOB_OPTIONS,
  SYNC_QUEUE,
  UNROUTED_QUEUE,
  type CatalogEntry,
  type CallbackCategory,
  type CallbackKind,
  type SyncedSchema,
} from './catalog.js';
export {
  eventKeyOf,
  eventVersion,
  parseBody,
  validateBody,
  validateUnroutedBody,
  parseSyncJob,
  parseSyncBatch,
  BATCH_DUPLICATES_FIELD,
  SYNC_BATCH_JOB,
  DEFAULT_BATCH_MAX,
  InvalidCallbackError,
  type SyncEvent,
  type SyncJobData,
  type SyncBatchJobData,
  type UnroutedJobData,
} from './job.js';
export { MAX_BODY_DEPTH, unstorableReason, type StorableRules } from './storable.js';
export { MAX_ACCOUNT_LENGTH, MAX_GROUP_ID_LENGTH, MAX_TOPIC_ID_LENGTH } from './common.js';
export { normalizePlatform, PLATFORMS, type Platform } from './platform.js';
export { computeSign, signMatches, verifySignature, type SignatureCheck } from './signature.js';
export {
  SYNCED_SCHEMAS,
  SYNCED_COMMANDS,
  isSyncedCommand,
  type SyncedCommand,
  type EventOf,
} from './synced.js';
export { GroupAfterChangeGroupOwner } from './group/after-change-group-owner.js';
export { GroupAfterCreateGroup } from './group/after-create-group.js';
export { GroupAfterCreateTopic } from './group/after-create-topic.js';
export { GroupAfterGroupAttrChanged } from './group/after-group-attr-changed.js';
export { GroupAfterGroupDestroyed } from './group/after-group-destroyed.js';
export { GroupAfterGroupFull } from './group/after-group-full.js';
export { GroupAfterGroupInfoChanged } from './group/after-group-info-changed.js';
export { GroupAfterMemberExit } from './group/after-member-exit.js';
export { GroupAfterMemberFieldChanged } from './group/after-member-field-changed.js';
export { GroupAfterNewMemberJoin } from './group/after-new-member-join.js';
export { GroupAfterSendMsg } from './group/after-send-msg.js';
export { GroupAfterTopicDestroyed } from './group/after-topic-destroyed.js';
export { GroupAfterTopicInfoChanged } from './group/after-topic-info-changed.js';
export { GroupOnMemberStateChange } from './group/on-member-state-change.js';
export { ProfilePortraitSet } from './profile/portrait-set.js';
export { SnsBlackListAdd } from './sns/black-list-add.js';
export { SnsBlackListDelete } from './sns/black-list-delete.js';
export { SnsFriendAdd } from './sns/friend-add.js';
export { SnsFriendDelete } from './sns/friend-delete.js';
export {
  StateStateChange,
  LOGIN_STATE_ACTIONS,
  isLoginStateAction,
  type LoginStateAction,
} from './state/state-change.js';
