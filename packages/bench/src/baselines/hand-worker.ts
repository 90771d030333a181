/**
 * Baseline "hand-written worker": what one would write without imsync's rules. A BullMQ Worker on the sync
 * queue that applies each job in one transaction of plain upserts (the event's fields overwrite the row:
 * no version guard, no ordering rule, no validation), at WORKER_CONCURRENCY jobs with a pool of
 * PG_POOL_SIZE connections. It writes the same rows of the same stores (the sync-worker's schema,
 * DB_SCHEMA, migrated beforehand) as the sync-worker does. Prints `ready` once connected.
 */
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { SYNC_BATCH_JOB, SYNC_QUEUE, type SyncBatchJobData, type SyncJobData } from '@imsync/callbacks';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Row = Record<string, unknown>;
type Rows = [table: string, keys: string[], row: Row][];

const env = process.env;
const schema = pg.escapeIdentifier(env.DB_SCHEMA ?? 'public');
const db = new pg.Pool({ connectionString: env.DATABASE_URL, max: Number(env.PG_POOL_SIZE ?? 4) });
const at = (ms: number) => new Date(ms);
const accounts = (list: { Member_Account: string }[] = []) => list.map((m) => m.Member_Account);

/** The rows an event writes, keyed by (sdk_app_id, …keys). */
function rowsOf(command: string, b: Body): Rows {
  const t = at(b.EventTime as number);
  const group = (row: Row = {}): Rows => [['groups', ['group_id'], { group_id: b.GroupId, ...row }]];
  const members = (list: string[], row: Row): Rows =>
    list.map((m) => [
      'group_members',
      ['group_id', 'member_account'],
      { group_id: b.GroupId, member_account: m, ...row },
    ]);
  const pairs = (table: string, row: (p: Body) => Row): Rows =>
    (b.PairList as Body[]).map((p) => [
      table,
      ['from_account', 'to_account'],
      { from_account: p.From_Account, to_account: p.To_Account, ...row(p) },
    ]);
  const topic = (id: string, row: Row): Rows => [
    ['topics', ['group_id', 'topic_id'], { group_id: b.GroupId, topic_id: id, ...row }],
  ];
  const joined = { membership: 'joined', membership_at: t };
  switch (command) {
    case 'State.StateChange':
      return [
        [
          'users',
          ['user_id'],
          {
            user_id: b.Info.To_Account,
            last_action: b.Info.Action,
            last_reason: b.Info.Reason,
            state_changed_at: t,
          },
        ],
      ];
    case 'Profile.CallbackPortraitSet':
      return [
        [
          'users',
          ['user_id'],
          {
            user_id: b.From_Account,
            profile_entries: JSON.stringify(
              Object.fromEntries((b.ProfileItem as Body[]).map((p) => [p.Tag, p.Value])),
            ),
          },
        ],
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
        ...group({
          type: b.Type,
          name: b.Name,
          owner_account: b.Owner_Account,
          created_by: b.Operator_Account,
          created_at: t,
        }),
        ...members([b.Owner_Account, ...accounts(b.MemberList)], joined),
      ];
    case 'Group.CallbackAfterNewMemberJoin':
      return [...group(), ...members(accounts(b.NewMemberList), { ...joined, join_type: b.JoinType })];
    case 'Group.CallbackAfterMemberExit':
      return [
        ...group(),
        ...members(accounts(b.ExitMemberList), {
          membership: 'left',
          membership_at: t,
          membership_exit_type: b.ExitType,
        }),
      ];
    case 'Group.CallbackAfterGroupDestroyed':
      return [
        ...group({ last_destroyed_at: t }),
        [
          'group_destroys',
          ['group_id', 'v'],
          { group_id: b.GroupId, v: b.EventTime, destroyed_at: t, operator_account: b.Operator_Account },
        ],
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
      return group({
        attr_entries: JSON.stringify(
          Object.fromEntries((b.GroupAttr as Body[]).map((a) => [a.key, a.value])),
        ),
      });
    case 'Group.CallbackAfterGroupFull':
      return group({ full_at: t });
    case 'Group.CallbackOnMemberStateChange':
      return [...group(), ...members(accounts(b.MemberList), { online: b.EventType === 'Online' })];
    case 'Group.CallbackAfterSendMsg':
      return group({
        last_msgs: JSON.stringify([{ s: b.MsgSeq, at: b.MsgTime * 1000, from: b.From_Account }]),
      });
    case 'Group.CallbackAfterCreateTopic':
      return [
        ...group(),
        ...topic(b.TopicId, { name: b.Name, owner_account: b.Owner_Account, created_at: t }),
      ];
    case 'Group.CallbackAfterTopicDestroyed':
      return [
        ...group(),
        ...(b.TopicIdList as string[]).flatMap((id) => topic(id, { last_destroyed_at: t })),
      ];
    case 'Group.CallbackAfterTopicInfoChanged':
      return [...group(), ...topic(b.TopicId, { name: b.Name, notification: b.Notification })];
    default:
      throw new Error(`no rows for ${command}`);
  }
}

/** INSERT … ON CONFLICT DO UPDATE: the event's fields overwrite the row's. */
function upsert(table: string, keys: string[], sdkAppId: number, row: Row): pg.QueryConfig {
  const cols = ['sdk_app_id', ...Object.keys(row)];
  const set = Object.keys(row)
    .filter((c) => !keys.includes(c))
    .map((c) => `${c} = EXCLUDED.${c}`);
  if (table !== 'group_destroys') set.push('updated_at = now()');
  return {
    text:
      `INSERT INTO ${schema}.${table} (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) ` +
      `ON CONFLICT (sdk_app_id, ${keys.join(', ')}) DO ${set.length ? `UPDATE SET ${set.join(', ')}` : 'NOTHING'}`,
    values: [sdkAppId, ...Object.values(row)],
  };
}

const connection = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const worker = new Worker(
  SYNC_QUEUE,
  async (job) => {
    const events =
      job.name === SYNC_BATCH_JOB ? (job.data as SyncBatchJobData).events : [job.data as SyncJobData];
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      for (const e of events) {
        for (const [table, keys, row] of rowsOf(e.command, e.body as Body))
          await client.query(upsert(table, keys, e.sdkAppId, row));
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  },
  { connection, prefix: env.QUEUE_PREFIX, concurrency: Number(env.WORKER_CONCURRENCY ?? 16) },
);
worker.on('error', (err) => process.stderr.write(`hand-written worker: ${err.message}\n`));
await worker.waitUntilReady();
process.stdout.write('ready\n');
process.on('SIGTERM', () => void Promise.all([worker.close(), db.end()]).finally(() => process.exit(0)));
