import type { ModelEvent, StoreModel } from './model.js';
import type { GroupState, MemberState } from './state.js';

type Body = Record<string, unknown>;
const str = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));
const accounts = (list: unknown): string[] =>
  ((list as { Member_Account: string }[] | undefined) ?? []).map((m) => m.Member_Account);
const keyValues = (list: unknown): [string, string][] =>
  ((list as Record<string, string | undefined>[] | undefined) ?? []).map((kv) => [
    (kv.Key ?? kv.key)!,
    kv.Value ?? kv.value ?? '',
  ]);
const INFO = [
  ['Name', 'name'],
  ['Introduction', 'introduction'],
  ['Notification', 'notification'],
  ['FaceUrl', 'face_url'],
] as const;

function join(
  m: MemberState,
  at: number,
  joinType: string | null,
  role: string,
  operator: string | null,
): void {
  m.role = role;
  m.name_card = null; // a membership starts afresh
  m.operator_account = operator;
  m.status = 'joined';
  m.joined_at = at;
  m.join_type = joinType;
  m.left_at = null;
  m.exit_type = null;
  m.cb = { joined: true, operator };
}

/**
 * The group events, as Tencent's own state changes: a creation makes a new group (afresh, even over a
 * destroyed one with the same ID), a destroy ends the memberships and topics alive at that moment.
 */
export function applyGroupEvent(model: StoreModel, e: ModelEvent): void {
  const b = e.body;
  const gid = String(b.GroupId ?? b.groupID);
  const t = e.time;
  const member = (account: string) => model.members.get(e.app, gid, account);
  const touch = (): GroupState => {
    const g = model.groups.get(e.app, gid);
    if (b.Type !== undefined) g.type = String(b.Type);
    return g;
  };
  switch (e.command) {
    case 'Group.CallbackAfterCreateGroup': {
      const g = touch();
      g.name = str(b.Name) ?? '';
      g.introduction = str(b.Introduction);
      g.notification = str(b.Notification);
      g.face_url = str(b.FaceUrl);
      g.owner_account = str(b.Owner_Account);
      g.created_by = str(b.Operator_Account);
      g.custom_data = Object.fromEntries(keyValues(b.UserDefinedDataList));
      g.attributes = new Map();
      g.created_at = t;
      g.destroyed_at = null;
      g.full_at = null;
      g.lastMsg = null;
      const owner = str(b.Owner_Account);
      if (owner) join(member(owner), t, 'Created', 'Owner', str(b.Operator_Account));
      for (const a of accounts(b.MemberList))
        if (a !== owner) join(member(a), t, 'Created', 'Member', str(b.Operator_Account));
      return;
    }
    case 'Group.CallbackAfterNewMemberJoin':
      touch();
      for (const a of accounts(b.NewMemberList))
        join(member(a), t, str(b.JoinType), 'Member', str(b.Operator_Account));
      return;
    case 'Group.CallbackAfterMemberExit':
      touch();
      for (const a of accounts(b.ExitMemberList)) {
        const m = member(a);
        m.status = 'left';
        m.left_at = t;
        m.exit_type = str(b.ExitType);
        m.operator_account = str(b.Operator_Account);
        m.cb = { joined: false, operator: m.operator_account };
      }
      return;
    case 'Group.CallbackAfterGroupDestroyed': {
      const g = touch();
      if (b.Name !== undefined) g.name = String(b.Name);
      if (b.Owner_Account !== undefined) g.owner_account = String(b.Owner_Account);
      destroyGroup(model, e.app, gid, t, str(b.Operator_Account));
      return;
    }
    case 'Group.CallbackAfterGroupInfoChanged': {
      const g = touch();
      for (const [field, column] of INFO) if (b[field] !== undefined) g[column] = String(b[field]);
      return;
    }
    case 'Group.CallbackAfterChangeGroupOwner':
      touch().owner_account = String(b.NewOwner_Account);
      member(String(b.OldOwner_Account)).role = 'Member';
      member(String(b.NewOwner_Account)).role = 'Owner';
      return;
    case 'Group.CallbackAfterMemberFieldChanged': {
      if (b.Role === undefined && b.NameCard === undefined) return; // skipped
      touch();
      const m = member(String(b.Member_Account ?? b.Modified_Account));
      if (b.Role !== undefined) m.role = String(b.Role);
      if (b.NameCard !== undefined) m.name_card = String(b.NameCard);
      return;
    }
    case 'Group.CallbackAfterGroupAttrChanged': {
      const g = touch();
      const kvs = keyValues(b.GroupAttr);
      if (b.OptionType === 'set') g.attributes = new Map(kvs);
      else if (b.OptionType === 'modify') for (const [k, v] of kvs) g.attributes.set(k, v);
      else if (b.OptionType === 'delete') for (const [k] of kvs) g.attributes.delete(k);
      else g.attributes.clear();
      return;
    }
    case 'Group.CallbackAfterGroupFull':
      if (b.TopicId) return; // skipped
      touch().full_at = t;
      return;
    case 'Group.CallbackOnMemberStateChange':
      touch();
      for (const a of accounts(b.MemberList)) member(a).online = b.EventType === 'Online';
      return;
    case 'Group.CallbackAfterSendMsg': {
      if (b.TopicId) return; // skipped
      const g = touch();
      const seq = Number(b.MsgSeq);
      const cur = g.lastMsg;
      if (!cur || seq > cur.seq || (seq === cur.seq && e.version > cur.version)) {
        g.lastMsg = {
          seq,
          version: e.version,
          at: b.MsgTime !== undefined ? Number(b.MsgTime) * 1000 : t,
          from: String(b.From_Account),
        };
      }
      return;
    }
    default:
      applyTopicEvent(model, e, gid, touch);
  }
}

/** A destroy (a callback, or a snapshot that found the group gone) ends its memberships and topics. */
export function destroyGroup(
  model: StoreModel,
  app: number,
  gid: string,
  t: number,
  operator: string | null,
): void {
  model.groups.get(app, gid).destroyed_at = t;
  for (const { key, value: m } of model.members.entries()) {
    if (key[0] === app && key[1] === gid && m.status === 'joined') {
      m.status = 'left';
      m.left_at = t;
      m.exit_type = 'Destroyed';
      m.operator_account = operator;
    }
  }
  for (const { key, value: topic } of model.topics.entries()) {
    if (key[0] === app && key[1] === gid && topic.destroyed_at === null) topic.destroyed_at = t;
  }
}

function applyTopicEvent(model: StoreModel, e: ModelEvent, gid: string, touch: () => GroupState): void {
  const b: Body = e.body;
  const topic = (id: string) => model.topics.get(e.app, gid, id);
  switch (e.command) {
    case 'Group.CallbackAfterCreateTopic': {
      if (!b.TopicId) return; // skipped
      touch();
      const tp = topic(String(b.TopicId));
      for (const [field, column] of INFO) tp[column] = str(b[field]);
      tp.owner_account = str(b.Owner_Account);
      tp.custom_data = Object.fromEntries(keyValues(b.UserDefinedDataList));
      tp.created_at = e.time;
      tp.destroyed_at = null;
      return;
    }
    case 'Group.CallbackAfterTopicDestroyed': {
      const ids = (b.TopicIdList as string[] | undefined) ?? (b.TopicId ? [String(b.TopicId)] : []);
      if (ids.length === 0) return; // skipped
      touch();
      for (const id of ids) topic(id).destroyed_at = e.time;
      return;
    }
    case 'Group.CallbackAfterTopicInfoChanged': {
      if (!b.TopicId || INFO.every(([field]) => b[field] === undefined)) return; // skipped
      touch();
      const tp = topic(String(b.TopicId));
      for (const [field, column] of INFO) if (b[field] !== undefined) tp[column] = String(b[field]);
      return;
    }
    default:
      throw new Error(`the model has no rule for ${e.command}`);
  }
}
