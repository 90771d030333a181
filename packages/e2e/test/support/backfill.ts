import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  FakeAppState,
  FakeTencent,
  NodeProcess,
  populate,
  serviceLaunch,
  TEST_DATABASE_URL,
  type Exit,
} from '@imsync/testing';
import type { Stack } from './stack.js';

export const SECRET_KEY = 'e2e-backfill-secret-key-0123456789abcdef';

/** The backfill's built entry point, next to the sync-worker's (its package's `backfill` script). */
export const BACKFILL_MAIN = join(dirname(serviceLaunch('sync-worker').main), 'backfill', 'main.js');

/**
 * A deterministic app on a fake Tencent: `populate`'s groups of every type, plus Work and Meeting groups,
 * a Public and a Community group larger than one member page (Offset and `Next` paging), groups with
 * introductions, notifications and face URLs, and a user with more friends than one `friend_get` page.
 */
export function buildApp(o: { groups: number; users: number; seed?: number }): FakeAppState {
  const state = populate(new FakeAppState(), {
    groups: o.groups,
    users: o.users,
    maxMembers: 8,
    seed: o.seed,
  });
  const users = [...state.users.keys()];
  // members besides the owner, 0 to 5 a group, some Admins, some with a name card
  for (const [gi, g] of [...state.groups.values()].entries()) {
    if (g.Type === 'AVChatRoom') continue;
    for (let k = 1; k <= gi % 6; k++) {
      const account = users[(gi * 5 + k * 11) % users.length]!;
      if (!g.members.has(account))
        state.addMember(g.GroupId, account, {
          Role: k === 3 ? 'Admin' : 'Member',
          NameCard: k % 2 ? '' : `card ${gi}.${k}`,
        });
    }
  }
  const hour = Math.floor(Date.now() / 1000) - 3600;
  for (const [i, Type] of (['Work', 'Meeting', 'Work', 'Meeting'] as const).entries()) {
    const g = state.addGroup({
      Type,
      Owner_Account: users[i]!,
      Name: `${Type} room ${i}`,
      Introduction: `intro ${i}`,
      Notification: `notice ${i}`,
      FaceUrl: `https://example.com/${i}.png`,
      CreateTime: hour - i,
      AppDefinedData: { Team: `t${i}` },
    });
    for (let m = 1; m <= 3; m++) state.addMember(g.GroupId, users[i + m]!, { NameCard: `card ${m}` });
    state.setGroupAttr(g.GroupId, 'room', `r${i}`);
  }
  for (const Type of ['Public', 'Community'] as const) {
    const big = state.addGroup({ Type, Owner_Account: users[0]!, Name: `big ${Type}` });
    for (let m = 1; m <= 230; m++)
      state.addMember(big.GroupId, `member${m}`, { Role: m % 50 ? 'Member' : 'Admin' });
    if (Type === 'Community') state.addTopic(big.GroupId, 'general', { Introduction: 'talk' });
  }
  for (const u of users.slice(1, 12)) state.addFriend(users[0]!, u, { Remark: u });
  for (const [i, u] of users.entries())
    for (let k = 1; k <= i % 4; k++) state.addFriend(u, users[(i + 7 * k) % users.length]!);
  // an existing app: everything in it began an hour or more ago
  for (const g of state.groups.values()) {
    g.CreateTime -= 3600;
    for (const m of g.members.values()) m.JoinTime -= 3600;
    for (const t of g.topics.values()) t.CreateTime -= 3600;
  }
  return state;
}

/** Resolves once the fake has answered `n` calls; rejects if `process` exits first. */
export async function afterCalls(fake: FakeTencent, n: number, process?: NodeProcess): Promise<void> {
  while (fake.calls.length < n) {
    if (process?.exitStatus)
      throw new Error(
        `${process.name} exited after ${fake.calls.length} calls, before ${n}:\n${process.tail()}`,
      );
    await sleep(5);
  }
}

/** A fake Tencent serving `state` on 127.0.0.1 for the Stack's SDKAppID. */
export function startFake(sdkAppId: number, state: FakeAppState): Promise<FakeTencent> {
  // a small friend page, so that friend lists span several pages
  return FakeTencent.start({ sdkAppId, secretKey: SECRET_KEY, state, friendPageSize: 5 });
}

/** The backfill command's environment against `fake`, for the Stack's schema. */
export function backfillEnv(
  stack: Stack,
  fake: FakeTencent,
  sdkAppId: number,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: TEST_DATABASE_URL,
    DB_SCHEMA: stack.schema,
    IM_SDKAPPID: String(sdkAppId),
    IM_SECRET_KEY: SECRET_KEY,
    IM_API_BASE_URL: fake.url,
    IM_API_MAX_RPS: '200',
    ...extra,
  };
}

export interface BackfillRun {
  readonly process: NodeProcess;
  readonly exit: Exit;
  readonly stdout: string;
}

/** Starts `backfill --app <id> …` as production runs it. */
export function spawnBackfill(args: readonly string[], env: Record<string, string>): NodeProcess {
  return new NodeProcess({ name: 'backfill', args: [BACKFILL_MAIN, ...args], env });
}

/** Runs the backfill to its end; its output lines joined. */
export async function runBackfill(
  args: readonly string[],
  env: Record<string, string>,
): Promise<BackfillRun> {
  const process = spawnBackfill(args, env);
  const exit = await process.exited;
  return { process, exit, stdout: process.logs.map((l) => l.raw).join('\n') };
}

export interface SummaryCounts {
  readonly resumed: boolean;
  readonly changes: Record<string, { inserted: number; changed: number; ended: number }>;
  readonly calls: number;
  readonly retries: number;
}

/** Reads the summary a finished run printed (see `formatSummary`). */
export function parseSummary(stdout: string): SummaryCounts {
  const head = /backfill of app \d+ (\(resumed\) )?finished/.exec(stdout);
  if (!head) throw new Error(`no summary in the backfill's output:\n${stdout}`);
  const changes: SummaryCounts['changes'] = {};
  for (const m of stdout.matchAll(/^ {2}([a-z_]+) +(\d+) +(\d+) +(\d+)$/gm))
    changes[m[1]!] = { inserted: Number(m[2]), changed: Number(m[3]), ended: Number(m[4]) };
  const calls = /REST calls: (\d+); retries: (\d+)/.exec(stdout);
  if (!calls) throw new Error(`no call counts in the backfill's summary:\n${stdout}`);
  return { resumed: head[1] !== undefined, changes, calls: Number(calls[1]), retries: Number(calls[2]) };
}

/** A users file listing every account of the fake (Tencent has no call that lists accounts). */
export async function usersFile(state: FakeAppState): Promise<{ path: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'imsync-backfill-'));
  const path = join(dir, 'users.txt');
  await writeFile(path, `# every account of the app\n${[...state.users.keys()].join('\n')}\n`);
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface GroupRow {
  group_id: string;
  type: string | null;
  name: string | null;
  introduction: string | null;
  notification: string | null;
  face_url: string | null;
  owner_account: string | null;
  custom_data: Record<string, string> | null;
  attributes: Record<string, string>;
  created_at: number | null;
  destroyed: boolean;
}
export interface MemberRow {
  group_id: string;
  member_account: string;
  role: string | null;
  name_card: string | null;
  status: string | null;
  exit_type: string | null;
  joined_at: number | null;
}
export interface TopicRow {
  group_id: string;
  topic_id: string;
  name: string | null;
  introduction: string | null;
  notification: string | null;
  face_url: string | null;
  created_at: number | null;
  destroyed: boolean;
}
export interface UserRow {
  user_id: string;
  online_status: string | null;
  profile: Record<string, unknown>;
}
export interface PairRow {
  from_account: string;
  to_account: string;
  status: string;
}

/** The documented tables of one app, as comparable rows in key order. */
export interface Stores {
  groups: GroupRow[];
  group_members: MemberRow[];
  topics: TopicRow[];
  users: UserRow[];
  friendships: PairRow[];
  blocklist: PairRow[];
}

const byKey =
  <T>(...keys: (keyof T)[]) =>
  (a: T, b: T): number => {
    for (const k of keys) {
      const x = String(a[k]);
      const y = String(b[k]);
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };

const ms = (d: Date | null): number | null => (d === null ? null : d.getTime());

/**
 * Reads the documented tables, and checks that the views agree with them: `active_groups` lists exactly
 * the groups not destroyed, `active_group_members` exactly the memberships `joined`.
 */
export async function readStores(stack: Stack, sdkAppId: number): Promise<Stores> {
  const q = async <R>(sql: string): Promise<R[]> => (await stack.query(sql, [sdkAppId])).rows as R[];
  const groups = (
    await q<
      Omit<GroupRow, 'created_at' | 'destroyed'> & { created_at: Date | null; destroyed_at: Date | null }
    >(
      `SELECT group_id, type, name, introduction, notification, face_url, owner_account, custom_data, attributes,
              created_at, destroyed_at FROM $schema.groups WHERE sdk_app_id = $1`,
    )
  )
    .map(({ created_at, destroyed_at, ...g }) => ({
      ...g,
      created_at: ms(created_at),
      destroyed: destroyed_at !== null,
    }))
    .sort(byKey('group_id'));
  const group_members = (
    await q<Omit<MemberRow, 'joined_at'> & { joined_at: Date | null }>(
      `SELECT group_id, member_account, role, name_card, status, exit_type, joined_at FROM $schema.group_members
       WHERE sdk_app_id = $1`,
    )
  )
    .map((m) => ({ ...m, joined_at: ms(m.joined_at) }))
    .sort(byKey('group_id', 'member_account'));
  const topics = (
    await q<
      Omit<TopicRow, 'created_at' | 'destroyed'> & { created_at: Date | null; destroyed_at: Date | null }
    >(
      `SELECT group_id, topic_id, name, introduction, notification, face_url, created_at, destroyed_at
       FROM $schema.topics WHERE sdk_app_id = $1`,
    )
  )
    .map(({ created_at, destroyed_at, ...t }) => ({
      ...t,
      created_at: ms(created_at),
      destroyed: destroyed_at !== null,
    }))
    .sort(byKey('group_id', 'topic_id'));
  const users = (
    await q<UserRow>(`SELECT user_id, online_status, profile FROM $schema.users WHERE sdk_app_id = $1`)
  ).sort(byKey('user_id'));
  const pairs = async (table: string) =>
    (
      await q<PairRow>(`SELECT from_account, to_account, status FROM $schema.${table} WHERE sdk_app_id = $1`)
    ).sort(byKey('from_account', 'to_account'));
  const stores = {
    groups,
    group_members,
    topics,
    users,
    friendships: await pairs('friendships'),
    blocklist: await pairs('blocklist'),
  };

  const activeGroups = (
    await q<{ group_id: string; name: string | null }>(
      `SELECT group_id, name FROM $schema.active_groups WHERE sdk_app_id = $1`,
    )
  ).sort(byKey('group_id'));
  const liveGroups = groups.filter((g) => !g.destroyed).map((g) => ({ group_id: g.group_id, name: g.name }));
  if (JSON.stringify(activeGroups) !== JSON.stringify(liveGroups))
    throw new Error('active_groups does not list exactly the groups not destroyed');
  const activeMembers = (
    await q<{ group_id: string; member_account: string; role: string | null }>(
      `SELECT group_id, member_account, role FROM $schema.active_group_members WHERE sdk_app_id = $1`,
    )
  ).sort(byKey('group_id', 'member_account'));
  const joined = group_members
    .filter((m) => m.status === 'joined')
    .map(({ group_id, member_account, role }) => ({ group_id, member_account, role }));
  if (JSON.stringify(activeMembers) !== JSON.stringify(joined))
    throw new Error('active_group_members does not list exactly the memberships joined');
  return stores;
}

/**
 * What the stores hold after a backfill of `state` into empty stores: its live groups (AVChatRoom groups
 * without members), memberships, topics; `users` (the accounts read) with their profile tags and online
 * status; friends and blocked pairs.
 */
export function expectedStores(
  state: FakeAppState,
  users: readonly string[] = [...state.users.keys()],
): Stores {
  const groups: GroupRow[] = [];
  const group_members: MemberRow[] = [];
  const topics: TopicRow[] = [];
  for (const g of state.groups.values()) {
    groups.push({
      group_id: g.GroupId,
      type: g.Type,
      name: g.Name,
      introduction: g.Introduction,
      notification: g.Notification,
      face_url: g.FaceUrl,
      owner_account: g.Owner_Account,
      custom_data: Object.fromEntries(g.AppDefinedData),
      attributes: Object.fromEntries(g.attrs),
      created_at: g.CreateTime * 1000,
      destroyed: false,
    });
    if (g.Type !== 'AVChatRoom')
      for (const m of g.members.values())
        group_members.push({
          group_id: g.GroupId,
          member_account: m.Member_Account,
          role: m.Role,
          name_card: m.NameCard,
          status: 'joined',
          exit_type: null,
          joined_at: m.JoinTime * 1000,
        });
    for (const t of g.topics.values())
      topics.push({
        group_id: g.GroupId,
        topic_id: t.TopicId,
        name: t.TopicName,
        introduction: t.Introduction,
        notification: t.Notification,
        face_url: t.FaceUrl,
        created_at: t.CreateTime * 1000,
        destroyed: false,
      });
  }
  const userRows: UserRow[] = [];
  const friendships: PairRow[] = [];
  const blocklist: PairRow[] = [];
  for (const id of users) {
    const u = state.users.get(id);
    if (!u) continue;
    userRows.push({ user_id: id, online_status: u.online, profile: Object.fromEntries(u.profile) });
    for (const to of u.friends.keys())
      friendships.push({ from_account: id, to_account: to, status: 'friend' });
    for (const to of u.blocklist.keys())
      blocklist.push({ from_account: id, to_account: to, status: 'blocked' });
  }
  return {
    groups: groups.sort(byKey('group_id')),
    group_members: group_members.sort(byKey('group_id', 'member_account')),
    topics: topics.sort(byKey('group_id', 'topic_id')),
    users: userRows.sort(byKey('user_id')),
    friendships: friendships.sort(byKey('from_account', 'to_account')),
    blocklist: blocklist.sort(byKey('from_account', 'to_account')),
  };
}
