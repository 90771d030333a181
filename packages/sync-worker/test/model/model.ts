import type { SyncJobData } from '@imsync/callbacks';
import { DOCUMENTED, sortRows, type Row, type Stores } from '../support/read.js';
import type { Snapshot } from '../../src/backfill/snapshot.js';
import { applyGroupEvent } from './groups.js';
import { stepsOf, type Step } from './snapshots.js';
import {
  newGroup,
  newMember,
  newTopic,
  newUser,
  Table,
  type GroupState,
  type MemberState,
  type TopicState,
  type UserState,
} from './state.js';

type Body = Record<string, unknown>;

/** One event as the model sees it: the raw body, its time and its place in the total order. */
export interface ModelEvent {
  readonly command: string;
  readonly app: number;
  readonly time: number;
  /** `time * 2^64 + the first 64 bits of the event key`: the documented order. */
  readonly version: bigint;
  readonly body: Body;
  readonly clientIp: string | null;
  readonly optPlatform: string | null;
}

/** The event time: `EventTime` (a number or a numeric string) when the body has one, else receivedAt. */
export function modelEvent(job: SyncJobData): ModelEvent {
  const et = job.body.EventTime;
  const time = et === undefined || et === null ? job.receivedAt : Number(et);
  return {
    command: job.command,
    app: job.sdkAppId,
    time,
    version: BigInt(time) * 2n ** 64n + BigInt('0x' + job.eventKey.slice(0, 16)),
    body: job.body,
    clientIp: job.clientIp,
    optPlatform: job.optPlatform,
  };
}

export class StoreModel {
  readonly groups = new Table<GroupState>(newGroup);
  readonly members = new Table<MemberState>(newMember);
  readonly topics = new Table<TopicState>(newTopic);
  readonly users = new Table<UserState>(newUser);
  readonly friendships = new Table<{ status: string | null; initiator_account: string | null }>(() => ({
    status: null,
    initiator_account: null,
  }));
  readonly blocklist = new Table<{ status: string | null }>(() => ({ status: null }));

  /** Applies a history of distinct events (callbacks and snapshots) once each, in version order. */
  static of(history: readonly SyncJobData[], snapshots: readonly Snapshot[] = []): StoreModel {
    const model = new StoreModel();
    const steps: Step[] = [
      ...history.map(modelEvent).map((e) => ({ version: e.version, apply: () => model.apply(e) })),
      ...snapshots.flatMap(stepsOf),
    ].sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
    for (const step of steps) step.apply(model);
    return model;
  }

  apply(e: ModelEvent): void {
    const b = e.body;
    switch (e.command) {
      case 'State.StateChange': {
        const info = b.Info as Body;
        const u = this.users.get(e.app, info.To_Account as string);
        u.online_status = info.Action === 'Login' ? 'Online' : 'Offline';
        u.last_action = info.Action as string;
        u.last_reason = (info.Reason as string | undefined) ?? null;
        u.last_platform = e.optPlatform;
        u.last_client_ip = e.clientIp;
        u.state_changed_at = e.time;
        return;
      }
      case 'Profile.CallbackPortraitSet': {
        const u = this.users.get(e.app, b.From_Account as string);
        for (const item of b.ProfileItem as { Tag: string; Value: string | number }[])
          u.profile.set(item.Tag, item.Value);
        return;
      }
      case 'Sns.CallbackFriendAdd':
      case 'Sns.CallbackFriendDelete':
        for (const p of b.PairList as {
          From_Account: string;
          To_Account: string;
          Initiator_Account?: string;
        }[]) {
          const f = this.friendships.get(e.app, p.From_Account, p.To_Account);
          if (e.command === 'Sns.CallbackFriendAdd') {
            f.status = 'friend';
            f.initiator_account = p.Initiator_Account ?? null;
          } else f.status = 'removed';
        }
        return;
      case 'Sns.CallbackBlackListAdd':
      case 'Sns.CallbackBlackListDelete':
        for (const p of b.PairList as { From_Account: string; To_Account: string }[]) {
          this.blocklist.get(e.app, p.From_Account, p.To_Account).status =
            e.command === 'Sns.CallbackBlackListAdd' ? 'blocked' : 'unblocked';
        }
        return;
      default:
        applyGroupEvent(this, e);
    }
  }

  /** The documented tables and views, as `readStores` reads them from PostgreSQL. */
  stores(): Stores {
    const groups = this.groups.entries().map(({ key: [app, gid], value: g }) => ({
      sdk_app_id: app!,
      group_id: gid!,
      type: g.type,
      name: g.name,
      introduction: g.introduction,
      notification: g.notification,
      face_url: g.face_url,
      owner_account: g.owner_account,
      created_by: g.created_by,
      custom_data: g.custom_data,
      attributes: Object.fromEntries(g.attributes),
      created_at: g.created_at,
      destroyed_at: g.destroyed_at,
      full_at: g.full_at,
      last_msg_seq: g.lastMsg?.seq ?? null,
      last_msg_at: g.lastMsg?.at ?? null,
      last_msg_from: g.lastMsg?.from ?? null,
    }));
    const members = this.members.entries().map(({ key: [app, gid, account], value: m }) => ({
      sdk_app_id: app!,
      group_id: gid!,
      member_account: account!,
      ...m,
    }));
    const topics = this.topics.entries().map(({ key: [app, gid, tid], value: t }) => ({
      sdk_app_id: app!,
      group_id: gid!,
      topic_id: tid!,
      ...t,
    }));
    const users = this.users.entries().map(({ key: [app, uid], value: u }) => ({
      sdk_app_id: app!,
      user_id: uid!,
      ...u,
      profile: Object.fromEntries(u.profile),
    }));
    const pairs = <V extends object>(t: Table<V>) =>
      t.entries().map(({ key: [app, from, to], value }) => ({
        sdk_app_id: app!,
        from_account: from!,
        to_account: to!,
        ...value,
      }));
    const project = (name: keyof typeof DOCUMENTED, rows: Row[]) => {
      const cols = [...DOCUMENTED[name].key, ...DOCUMENTED[name].columns];
      return sortRows(
        rows.map((r) => Object.fromEntries(cols.map((c) => [c, r[c] ?? null]))),
        DOCUMENTED[name].key,
      );
    };
    return {
      groups: project('groups', groups),
      group_members: project('group_members', members),
      topics: project('topics', topics),
      users: project('users', users),
      friendships: project('friendships', pairs(this.friendships)),
      blocklist: project('blocklist', pairs(this.blocklist)),
      active_groups: project(
        'active_groups',
        groups.filter((g) => g.destroyed_at === null),
      ),
      active_group_members: project(
        'active_group_members',
        members.filter((m) => m.status === 'joined'),
      ),
    };
  }
}
