import type { Db } from '../db.js';
import type { Part, PartState } from './checkpoint.js';
import type { headOf, Snapshot } from './snapshot.js';
import { BATCH, type TencentSource } from './source.js';
import type { SweepOptions } from './sweep.js';

/*
 * The parts of a sweep: each reads one kind of Tencent's state in batches, applies every answer as a
 * snapshot, and saves its cursor after each batch so that a stopped run resumes there.
 */

/** Standard profile tags read for every user, with the custom tags already seen in the stores. */
export const STANDARD_TAGS = [
  'Tag_Profile_IM_Nick',
  'Tag_Profile_IM_Gender',
  'Tag_Profile_IM_BirthDay',
  'Tag_Profile_IM_Location',
  'Tag_Profile_IM_SelfSignature',
  'Tag_Profile_IM_AllowType',
  'Tag_Profile_IM_Language',
  'Tag_Profile_IM_Image',
  'Tag_Profile_IM_MsgSettings',
  'Tag_Profile_IM_AdminForbidType',
  'Tag_Profile_IM_Level',
  'Tag_Profile_IM_Role',
] as const;

/** Groups or users handled at once (the source paces its calls). */
const PARALLEL = 8;

export interface PartContext {
  readonly db: Db;
  readonly source: TencentSource;
  readonly o: SweepOptions;
  readonly sentAt: () => number;
  readonly head: (subject: string, sentAt: number) => ReturnType<typeof headOf>;
  readonly apply: (s: Snapshot) => Promise<void>;
  readonly itemError: (part: Part, id: string, code: number, message: string) => void;
}

/** Saves the cursor after a batch; `done` true at the end. `total` when known. */
type Save = (cursor: Record<string, unknown> | null, done: boolean, total: number | null) => Promise<void>;
type Runner = (ctx: PartContext, cursor: PartState['cursor'], save: Save) => Promise<void>;

async function inParallel<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, lane));
}

/** `items` in consecutive slices of `size` (the last may be shorter). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Reads group profiles in batches and applies them (gone groups are destroyed). */
async function readProfiles(ctx: PartContext, groupIds: readonly string[]): Promise<void> {
  await inParallel(chunk(groupIds, BATCH.groupInfo), async (ids) => {
    const sentAt = ctx.sentAt();
    for (const a of await ctx.source.groupProfiles(ids)) {
      const head = ctx.head(`group:${a.groupId}`, sentAt);
      if (a.result === 'error') ctx.itemError('groups', a.groupId, a.code, a.message);
      else
        await ctx.apply({
          ...head,
          kind: 'group',
          groupId: a.groupId,
          profile: a.result === 'ok' ? a.profile : null,
        });
    }
  });
}

/**
 * Every group id page by page, each page's profiles; then the groups the stores hold alive that the list
 * did not name (read alone: gone ones are destroyed). A group is named by this run when a profile snapshot
 * of this run saw it alive (its alive_v is at least the run's first version).
 */
const groups: Runner = async (ctx, cursor, save) => {
  let phase = (cursor?.phase as string | undefined) ?? 'list';
  let next = Number(cursor?.next ?? 0);
  let count = Number(cursor?.count ?? 0);
  // the least version a snapshot of this run can have: the start of its first millisecond
  const since = String(cursor?.since ?? BigInt(ctx.head('run', ctx.sentAt()).time) << 64n);
  if (phase === 'list') {
    for (;;) {
      ctx.o.signal?.throwIfAborted();
      const page = await ctx.source.groupIdPage(next);
      await readProfiles(ctx, page.groupIds);
      count += page.groupIds.length;
      next = page.next;
      if (next === 0) break;
      await save({ phase, next, count, since }, false, null);
    }
    phase = 'unlisted';
    await save({ phase, next: 0, count, since, after: '' }, false, null);
  }
  let after = String(cursor?.after ?? '');
  for (;;) {
    ctx.o.signal?.throwIfAborted();
    const res = await ctx.db.query<{ group_id: string }>(
      `SELECT group_id FROM groups WHERE sdk_app_id = $1 AND destroyed_at IS NULL AND group_id > $2
         AND (alive_v IS NULL OR alive_v < $3) ORDER BY group_id LIMIT 500`,
      [ctx.o.sdkAppId, after, since],
    );
    const ids = res.rows.map((r) => r.group_id);
    if (ids.length === 0) break;
    await readProfiles(ctx, ids);
    count += ids.length;
    after = ids[ids.length - 1]!;
    await save({ phase, next: 0, count, since, after }, false, null);
  }
  await save(null, true, count);
};

/** A part over the live groups of the stores, in group id order, resumable after the last group done. */
function perGroup(
  filter: string,
  read: (
    ctx: PartContext,
    g: { group_id: string; type: string | null; owner_account: string | null },
  ) => Promise<void>,
): Runner {
  return async (ctx, cursor, save) => {
    let after = String(cursor?.after ?? '');
    let count = Number(cursor?.count ?? 0);
    const total = await ctx.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM groups WHERE sdk_app_id = $1 AND destroyed_at IS NULL AND ${filter}`,
      [ctx.o.sdkAppId],
    );
    const n = Number(total.rows[0]?.n ?? 0);
    for (;;) {
      ctx.o.signal?.throwIfAborted();
      const res = await ctx.db.query<{ group_id: string; type: string | null; owner_account: string | null }>(
        `SELECT group_id, type, owner_account FROM groups
         WHERE sdk_app_id = $1 AND destroyed_at IS NULL AND group_id > $2 AND ${filter}
         ORDER BY group_id LIMIT ${PARALLEL * 4}`,
        [ctx.o.sdkAppId, after],
      );
      if (res.rows.length === 0) break;
      await inParallel(res.rows, (g) => read(ctx, g));
      count += res.rows.length;
      after = res.rows[res.rows.length - 1]!.group_id;
      await save({ after, count }, false, n);
    }
    await save(null, true, count);
  };
}

/** A gone group met by a group part: its profile is read again, so that it is destroyed. */
const gone = (ctx: PartContext, groupId: string) => readProfiles(ctx, [groupId]);

const members = perGroup("COALESCE(type, '') <> 'AVChatRoom'", async (ctx, g) => {
  const sentAt = ctx.sentAt();
  const a = await ctx.source.groupMembers(g.group_id, g.type);
  if (a.result === 'gone') return gone(ctx, g.group_id);
  await ctx.apply({
    ...ctx.head(`members:${g.group_id}`, sentAt),
    kind: 'members',
    groupId: g.group_id,
    members: a.members,
    complete: a.complete,
  });
});

const attributes = perGroup('true', async (ctx, g) => {
  const sentAt = ctx.sentAt();
  const a = await ctx.source.groupAttributes(g.group_id);
  if (a.result === 'gone') return gone(ctx, g.group_id);
  await ctx.apply({
    ...ctx.head(`attributes:${g.group_id}`, sentAt),
    kind: 'attributes',
    groupId: g.group_id,
    attributes: a.attributes,
  });
});

const topics = perGroup("type = 'Community' AND owner_account IS NOT NULL", async (ctx, g) => {
  const sentAt = ctx.sentAt();
  const a = await ctx.source.topics(g.group_id, g.owner_account!);
  if (a.result === 'gone') return gone(ctx, g.group_id);
  await ctx.apply({
    ...ctx.head(`topics:${g.group_id}`, sentAt),
    kind: 'topics',
    groupId: g.group_id,
    topics: a.topics,
  });
});

/**
 * The order of user ids across a resumed run: their UTF-8 bytes, as PostgreSQL's "C" collation compares
 * them, whatever the database's own collation (the cursor is compared in SQL and in JavaScript alike).
 */
export const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * The users the stores know of (users, group members and owners, friends and blocklists, both sides) and
 * the users file's, after `after`, in `byBytes` order.
 */
async function knownUsers(ctx: PartContext, after: string): Promise<string[]> {
  const res = await ctx.db.query<{ id: string }>(
    `SELECT id FROM (
       SELECT user_id AS id FROM users WHERE sdk_app_id = $1
       UNION SELECT member_account FROM group_members WHERE sdk_app_id = $1
       UNION SELECT owner_account FROM groups WHERE sdk_app_id = $1 AND owner_account IS NOT NULL
       UNION SELECT from_account FROM friendships WHERE sdk_app_id = $1
       UNION SELECT to_account FROM friendships WHERE sdk_app_id = $1
       UNION SELECT from_account FROM blocklist WHERE sdk_app_id = $1
       UNION SELECT to_account FROM blocklist WHERE sdk_app_id = $1) u
     WHERE id COLLATE "C" > $2`,
    [ctx.o.sdkAppId, after],
  );
  const ids = new Set(res.rows.map((r) => r.id));
  for (const id of ctx.o.users ?? []) if (byBytes(id, after) > 0) ids.add(id);
  return [...ids].sort(byBytes);
}

/** A part over the known users in id order, `size` at a time, resumable after the last user done. */
function perUsers(size: number, read: (ctx: PartContext, users: readonly string[]) => Promise<void>): Runner {
  return async (ctx, cursor, save) => {
    const after = String(cursor?.after ?? '');
    let count = Number(cursor?.count ?? 0);
    const users = await knownUsers(ctx, after);
    const total = count + users.length;
    for (const batch of chunk(chunk(users, size), PARALLEL)) {
      ctx.o.signal?.throwIfAborted();
      await inParallel(batch, (ids) => read(ctx, ids));
      const last = batch[batch.length - 1]!;
      count += batch.reduce((n, ids) => n + ids.length, 0);
      await save({ after: last[last.length - 1]!, count }, false, total);
    }
    await save(null, true, count);
  };
}

const profiles = perUsers(BATCH.profiles, async (ctx, ids) => {
  const custom = await ctx.db.query<{ tag: string }>(
    `SELECT DISTINCT jsonb_object_keys(profile_entries) AS tag FROM users WHERE sdk_app_id = $1`,
    [ctx.o.sdkAppId],
  );
  const tags = [
    ...new Set([
      ...STANDARD_TAGS,
      ...custom.rows.map((r) => r.tag).filter((t) => t.startsWith('Tag_Profile_Custom_')),
      ...(ctx.o.profileTags ?? []),
    ]),
  ];
  const sentAt = ctx.sentAt();
  for (const a of await ctx.source.profiles(ids, tags)) {
    if (a.result === 'error') ctx.itemError('profiles', a.account, a.code, a.message);
    if (a.result !== 'ok') continue;
    await ctx.apply({
      ...ctx.head(`profile:${a.account}`, sentAt),
      kind: 'profile',
      userId: a.account,
      tags: a.tags,
    });
  }
});

const online = perUsers(BATCH.online, async (ctx, ids) => {
  const sentAt = ctx.sentAt();
  for (const a of await ctx.source.onlineStatus(ids)) {
    if (a.result === 'error') ctx.itemError('online', a.account, a.code, a.message);
    if (a.result !== 'ok') continue;
    await ctx.apply({
      ...ctx.head(`online:${a.account}`, sentAt),
      kind: 'online',
      userId: a.account,
      status: a.status,
    });
  }
});

const relations = (kind: 'friends' | 'blocklist'): Runner =>
  perUsers(1, async (ctx, [id]) => {
    const sentAt = ctx.sentAt();
    const a = kind === 'friends' ? await ctx.source.friends(id!) : await ctx.source.blocklist(id!);
    if (a.result === 'error') ctx.itemError(kind, a.account, a.code, a.message);
    if (a.result !== 'ok') return;
    await ctx.apply({ ...ctx.head(`${kind}:${id!}`, sentAt), kind, userId: id!, accounts: a.accounts });
  });

export const RUNNERS: Record<Part, Runner> = {
  groups,
  members,
  attributes,
  topics,
  profiles,
  online,
  friends: relations('friends'),
  blocklist: relations('blocklist'),
};
