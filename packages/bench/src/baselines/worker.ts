/**
 * Baselines "empty processor" and, with HAND_WRITTEN=1, "hand-written worker": a BullMQ Worker on the sync
 * queue at WORKER_CONCURRENCY, with the sync-worker's Redis options, that does nothing with a job, or that
 * applies it as one would without imsync's rules: one transaction of plain upserts (the event's fields
 * overwrite the row: no version guard, no ordering rule, no validation) over a pool of PG_POOL_SIZE, into
 * the same rows of the same stores (DB_SCHEMA, migrated beforehand) as the sync-worker. Prints `ready`.
 */
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { SYNC_BATCH_JOB, SYNC_QUEUE, type SyncBatchJobData, type SyncJobData } from '@imsync/callbacks';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Row = Record<string, unknown>;
type Rows = [table: keyof typeof KEYS, row: Row][];

/** Each store's key, after sdk_app_id. */
const KEYS = {
  users: ['user_id'],
  friendships: ['from_account', 'to_account'],
  blocklist: ['from_account', 'to_account'],
  groups: ['group_id'],
  group_members: ['group_id', 'member_account'],
  group_destroys: ['group_id', 'v'],
  topics: ['group_id', 'topic_id'],
};
const env = process.env;
const schema = pg.escapeIdentifier(env.DB_SCHEMA ?? 'public');
const db = new pg.Pool({ connectionString: env.DATABASE_URL, max: Number(env.PG_POOL_SIZE ?? 4) });
const accounts = (list: { Member_Account: string }[] = []) => list.map((m) => m.Member_Account);
const entries = (list: Body[], k: string, v: string) =>
  JSON.stringify(Object.fromEntries(list.map((e) => [e[k], e[v]])));

/** The rows an event writes. */
function rowsOf(command: string, b: Body): Rows {
  const t = new Date(b.EventTime as number);
  const group = (row: Row = {}): Rows => [['groups', { group_id: b.GroupId, ...row }]];
  const members = (list: string[], row: Row): Rows =>
    list.map((m) => ['group_members', { group_id: b.GroupId, member_account: m, ...row }]);
  const pairs = (table: 'friendships' | 'blocklist', row: (p: Body) => Row): Rows =>
    (b.PairList as Body[]).map((p) => [
      table,
      { from_account: p.From_Account, to_account: p.To_Account, ...row(p) },
    ]);
  const topics = (ids: string[], row: Row): Rows => [
    ...group(),
    ...ids.map((id): Rows[number] => ['topics', { group_id: b.GroupId, topic_id: id, ...row }]),
  ];
  const joined = { membership: 'joined', membership_at: t };
  switch (command) {
    case 'State.StateChange':
      return [['users', { user_id: b.Info.To_Account, last_action: b.Info.Action, state_changed_at: t }]];
    case 'Profile.CallbackPortraitSet':
      return [
        ['users', { user_id: b.From_Account, profile_entries: entries(b.ProfileItem, 'Tag', 'Value') }],
      ];
    case 'Sns.CallbackFriendAdd':
      return pairs('friendships', (p) => ({ status: 'friends', initiator_account: p.Initiator_Account }));
    case 'Sns.CallbackFriendDelete':
      return pairs('friendships', () => ({ status: 'deleted' }));
    case 'Sns.CallbackBlackListAdd':
      return pairs('blocklist', () => ({ status: 'blocked' }));
    case 'Sns.CallbackBlackListDelete':
      return pairs('blocklist', () => ({ status: 'removed' }));
    case 'Group.CallbackAfterCreateGroup':
      return [
        ...group({ type: b.Type, name: b.Name, owner_account: b.Owner_Account, created_at: t }),
        ...members([b.Owner_Account, ...accounts(b.MemberList)], joined),
      ];
    case 'Group.CallbackAfterNewMemberJoin':
      return [...group(), ...members(accounts(b.NewMemberList), { ...joined, join_type: b.JoinType })];
    case 'Group.CallbackAfterMemberExit':
      return [...group(), ...members(accounts(b.ExitMemberList), { membership: 'left', membership_at: t })];
    case 'Group.CallbackAfterGroupDestroyed':
      return [
        ...group({ last_destroyed_at: t }),
        ['group_destroys', { group_id: b.GroupId, v: b.EventTime, destroyed_at: t }],
      ];
    case 'Group.CallbackAfterGroupInfoChanged':
      return group({ notification: b.Notification });
    case 'Group.CallbackAfterChangeGroupOwner':
      return [
        ...group({ owner_account: b.NewOwner_Account }),
        ...members([b.OldOwner_Account], { role: 'Member' }),
        ...members([b.NewOwner_Account], { role: 'Owner' }),
      ];
    case 'Group.CallbackAfterMemberFieldChanged':
      return [...group(), ...members([b.Modified_Account], { role: b.Role, name_card: b.NameCard })];
    case 'Group.CallbackAfterGroupAttrChanged':
      return group({ attr_entries: entries(b.GroupAttr, 'key', 'value') });
    case 'Group.CallbackAfterGroupFull':
      return group({ full_at: t });
    case 'Group.CallbackOnMemberStateChange':
      return [...group(), ...members(accounts(b.MemberList), { online: b.EventType === 'Online' })];
    case 'Group.CallbackAfterSendMsg':
      return group({
        last_msgs: JSON.stringify([{ s: b.MsgSeq, at: b.MsgTime * 1000, from: b.From_Account }]),
      });
    case 'Group.CallbackAfterCreateTopic':
      return topics([b.TopicId], { name: b.Name, owner_account: b.Owner_Account, created_at: t });
    case 'Group.CallbackAfterTopicDestroyed':
      return topics(b.TopicIdList, { last_destroyed_at: t });
    case 'Group.CallbackAfterTopicInfoChanged':
      return topics([b.TopicId], { name: b.Name, notification: b.Notification });
    default:
      throw new Error(`no rows for ${command}`);
  }
}

/** INSERT … ON CONFLICT DO UPDATE: the event's fields overwrite the row's. */
function upsert(table: keyof typeof KEYS, sdkAppId: number, row: Row): pg.QueryConfig {
  const keys = KEYS[table];
  const cols = ['sdk_app_id', ...Object.keys(row)];
  const set = cols.filter((c) => c !== 'sdk_app_id' && !keys.includes(c)).map((c) => `${c} = EXCLUDED.${c}`);
  if (table !== 'group_destroys') set.push('updated_at = now()');
  const values = cols.map((_, i) => `$${i + 1}`).join(', ');
  return {
    text: `INSERT INTO ${schema}.${table} (${cols.join(', ')}) VALUES (${values}) ON CONFLICT (sdk_app_id, ${keys.join(', ')}) DO UPDATE SET ${set.join(', ')}`,
    values: [sdkAppId, ...Object.values(row)],
  };
}

/** The hand-written worker's processor: the job's events in one transaction. */
async function apply(job: Job): Promise<void> {
  const events =
    job.name === SYNC_BATCH_JOB ? (job.data as SyncBatchJobData).events : [job.data as SyncJobData];
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    for (const e of events) {
      for (const [table, row] of rowsOf(e.command, e.body as Body))
        await client.query(upsert(table, e.sdkAppId, row));
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

const connection = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const processor = env.HAND_WRITTEN ? apply : async () => undefined;
const concurrency = Number(env.WORKER_CONCURRENCY ?? 16);
const worker = new Worker(SYNC_QUEUE, processor, { connection, prefix: env.QUEUE_PREFIX, concurrency });
worker.on('error', (err) => process.stderr.write(`baseline worker: ${err.message}\n`));
await worker.waitUntilReady();
process.stdout.write('ready\n');
process.on('SIGTERM', () => void Promise.all([worker.close(), db.end()]).finally(() => process.exit(0)));
