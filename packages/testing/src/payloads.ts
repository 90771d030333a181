/** The store tables an event can add rows to. */
export const TABLES = [
  'groups',
  'group_members',
  'group_destroys',
  'topics',
  'users',
  'friendships',
  'blocklist',
] as const;
export type Table = (typeof TABLES)[number];
export type RowCounts = Partial<Record<Table, number>>;

/** The row whose `updated_at` tells when an event was applied. */
export interface Probe {
  readonly table: Table;
  readonly column: string;
  readonly value: string;
}

export interface Payload {
  readonly command: string;
  readonly body: Record<string, unknown>;
  /** Rows the event adds to each table (every payload works on entities of its own). */
  readonly rows: RowCounts;
  readonly probe: Probe;
}

type Maker = (id: string, eventTime: number) => Omit<Payload, 'command'>;

const group = (id: string) => `@TGS#${id}`;
const topic = (id: string) => `@TGS#_${group(id)}@TOPIC#_${id}`;
const groupProbe = (id: string): Probe => ({ table: 'groups', column: 'group_id', value: group(id) });
const members = (...accounts: string[]) => accounts.map((a) => ({ Member_Account: a }));

/**
 * One body per synced command, realistic (shaped like Tencent's samples) and on entities named after
 * `id`, so that no two payloads touch the same row and none is a duplicate. Rows: every group event,
 * topic events included, upserts its group's row. The kit knows no contract (the contract's tests use
 * the kit): e2e's payloads test fails when the contract has a synced command this table lacks.
 */
const MAKERS: Readonly<Record<string, Maker>> = {
  'State.StateChange': (id, t) => ({
    body: { EventTime: t, Info: { Action: 'Login', To_Account: `u${id}`, Reason: 'Register' } },
    rows: { users: 1 },
    probe: { table: 'users', column: 'user_id', value: `u${id}` },
  }),
  'Profile.CallbackPortraitSet': (id, t) => ({
    body: {
      EventTime: t,
      Operator_Account: `p${id}`,
      From_Account: `p${id}`,
      ProfileItem: [
        { Tag: 'Tag_Profile_IM_Nick', Value: `nick ${id}` },
        { Tag: 'Tag_Profile_IM_Gender', Value: 'Gender_Type_Male' },
      ],
    },
    rows: { users: 1 },
    probe: { table: 'users', column: 'user_id', value: `p${id}` },
  }),
  'Sns.CallbackFriendAdd': (id, t) => ({
    body: {
      EventTime: t,
      PairList: [
        { From_Account: `fa${id}`, To_Account: `fb${id}`, Initiator_Account: `fa${id}` },
        { From_Account: `fb${id}`, To_Account: `fa${id}`, Initiator_Account: `fa${id}` },
      ],
      ClientCmd: 'friend_add',
      Admin_Account: '',
      ForceFlag: 0,
    },
    rows: { friendships: 2 },
    probe: { table: 'friendships', column: 'from_account', value: `fa${id}` },
  }),
  'Sns.CallbackFriendDelete': (id, t) => ({
    body: { EventTime: t, PairList: [{ From_Account: `fd${id}`, To_Account: `fe${id}` }] },
    rows: { friendships: 1 },
    probe: { table: 'friendships', column: 'from_account', value: `fd${id}` },
  }),
  'Sns.CallbackBlackListAdd': (id, t) => ({
    body: { EventTime: t, PairList: [{ From_Account: `ba${id}`, To_Account: `bb${id}` }] },
    rows: { blocklist: 1 },
    probe: { table: 'blocklist', column: 'from_account', value: `ba${id}` },
  }),
  'Sns.CallbackBlackListDelete': (id, t) => ({
    body: { EventTime: t, PairList: [{ From_Account: `bd${id}`, To_Account: `be${id}` }] },
    rows: { blocklist: 1 },
    probe: { table: 'blocklist', column: 'from_account', value: `bd${id}` },
  }),
  'Group.CallbackAfterCreateGroup': (id, t) => ({
    body: {
      GroupId: group(id),
      Operator_Account: `o${id}`,
      Owner_Account: `o${id}`,
      Type: 'Public',
      Name: `group ${id}`,
      MemberList: members(`m${id}`, `n${id}`),
      UserDefinedDataList: [{ Key: 'UserDefined1', Value: 'hello' }],
      EventTime: t,
    },
    rows: { groups: 1, group_members: 3 },
    probe: groupProbe(id),
  }),
  'Group.CallbackAfterNewMemberJoin': (id, t) => ({
    body: {
      GroupId: group(id),
      Type: 'Public',
      JoinType: 'Apply',
      Operator_Account: `o${id}`,
      NewMemberList: members(`m${id}`, `n${id}`),
      EventTime: t,
    },
    rows: { groups: 1, group_members: 2 },
    probe: groupProbe(id),
  }),
  'Group.CallbackAfterMemberExit': (id, t) => ({
    body: {
      GroupId: group(id),
      Type: 'Public',
      ExitType: 'Kicked',
      Operator_Account: `o${id}`,
      ExitMemberList: members(`m${id}`, `n${id}`),
      EventTime: t,
    },
    rows: { groups: 1, group_members: 2 },
    probe: groupProbe(id),
  }),
  'Group.CallbackAfterGroupDestroyed': (id, t) => ({
    body: {
      Operator_Account: `o${id}`,
      GroupId: group(id),
      Type: 'Public',
      Owner_Account: `o${id}`,
      Name: `group ${id}`,
      MemberList: members(`o${id}`, `m${id}`),
      EventTime: t,
    },
    rows: { groups: 1, group_destroys: 1 },
    probe: groupProbe(id),
  }),
  'Group.CallbackAfterGroupInfoChanged': (id, t) => ({
    body: {
      GroupId: group(id),
      Type: 'Public',
      Operator_Account: `o${id}`,
      Notification: `notice ${id}`,
      EventTime: t,
    },
    rows: { groups: 1 },
    probe: groupProbe(id),
  }),
  'Group.CallbackAfterChangeGroupOwner': (id, t) => ({
    body: {
      GroupId: group(id),
      Type: 'Public',
      Operator_Account: `o${id}`,
      OldOwner_Account: `o${id}`,
      NewOwner_Account: `m${id}`,
      EventTime: t,
    },
    rows: { groups: 1, group_members: 2 },
    probe: groupProbe(id),
  }),
  'Group.CallbackAfterMemberFieldChanged': (id, t) => ({
    body: {
      GroupId: group(id),
      Type: 'Community',
      Operator_Account: `o${id}`,
      Modified_Account: `m${id}`,
      Role: 'Admin',
      NameCard: `card ${id}`,
      EventTime: t,
    },
    rows: { groups: 1, group_members: 1 },
    probe: groupProbe(id),
  }),
  'Group.CallbackAfterGroupAttrChanged': (id, t) => ({
    body: {
      GroupId: group(id),
      Type: 'Public',
      Operator_Account: `o${id}`,
      OptionType: 'set',
      GroupAttr: [
        { key: 'key1', value: `v1 ${id}` },
        { key: 'key2', value: `v2 ${id}` },
      ],
      EventTime: t,
    },
    rows: { groups: 1 },
    probe: groupProbe(id),
  }),
  'Group.CallbackAfterGroupFull': (id, t) => ({
    body: { GroupId: group(id), EventTime: t },
    rows: { groups: 1 },
    probe: groupProbe(id),
  }),
  'Group.CallbackOnMemberStateChange': (id, t) => ({
    body: {
      GroupId: group(id),
      EventType: 'Online',
      EventCause: 'Login',
      MemberList: members(`m${id}`, `n${id}`),
      EventTime: t,
    },
    rows: { groups: 1, group_members: 2 },
    probe: groupProbe(id),
  }),
  'Group.CallbackAfterSendMsg': (id, t) => ({
    body: {
      GroupId: group(id),
      Type: 'Public',
      From_Account: `m${id}`,
      Operator_Account: `m${id}`,
      Random: 123456,
      MsgSeq: 123,
      MsgTime: Math.floor(t / 1000),
      OnlineOnlyFlag: 0,
      MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: `hello ${id}` } }],
      CloudCustomData: '',
      EventTime: t,
    },
    rows: { groups: 1 },
    probe: groupProbe(id),
  }),
  'Group.CallbackAfterCreateTopic': (id, t) => ({
    body: {
      GroupId: group(id),
      TopicId: topic(id),
      Operator_Account: `o${id}`,
      Owner_Account: `o${id}`,
      Type: 'Community',
      Name: `topic ${id}`,
      UserDefinedDataList: [{ Key: 'UserDefined1', Value: 'hello' }],
      EventTime: t,
    },
    rows: { groups: 1, topics: 1 },
    probe: { table: 'topics', column: 'topic_id', value: topic(id) },
  }),
  'Group.CallbackAfterTopicDestroyed': (id, t) => ({
    body: { GroupId: group(id), Type: 'Community', TopicIdList: [topic(id), `${topic(id)}_1`], EventTime: t },
    rows: { groups: 1, topics: 2 },
    probe: { table: 'topics', column: 'topic_id', value: topic(id) },
  }),
  'Group.CallbackAfterTopicInfoChanged': (id, t) => ({
    body: {
      GroupId: group(id),
      TopicId: topic(id),
      Type: 'Community',
      Operator_Account: `o${id}`,
      Name: `topic ${id}`,
      Notification: `notice ${id}`,
      EventTime: t,
    },
    rows: { groups: 1, topics: 1 },
    probe: { table: 'topics', column: 'topic_id', value: topic(id) },
  }),
};

/** Every command the builder has a body for, in the order the mix cycles through them. */
export const PAYLOAD_COMMANDS: readonly string[] = Object.keys(MAKERS);

/** Event times start here and grow by 1 ms per payload: distinct, and in the past. */
const EPOCH = Date.UTC(2024, 0, 1);

/**
 * The i-th payload of a series named `tag`: commands cycle through every synced command; each payload
 * has its own entities and its own EventTime. `tag` must be unique per run (a lower-case word).
 */
export function payload(tag: string, i: number): Payload {
  return payloadFor(PAYLOAD_COMMANDS[i % PAYLOAD_COMMANDS.length]!, `${tag}-${i}`, EPOCH + i);
}

/** A payload of `command` on the entities named after `id`, at `eventTime` (ms). */
export function payloadFor(command: string, id: string, eventTime: number): Payload {
  const make = MAKERS[command];
  if (!make) throw new Error(`no payload for ${command}`);
  const made = make(id, eventTime);
  return { command, body: { CallbackCommand: command, ...made.body }, rows: made.rows, probe: made.probe };
}

/** The rows `count` payloads of a series add to each table. */
export function expectedRows(tag: string, count: number): Record<Table, number> {
  const total = Object.fromEntries(TABLES.map((t) => [t, 0])) as Record<Table, number>;
  for (let i = 0; i < count; i++) {
    for (const [table, n] of Object.entries(payload(tag, i).rows)) total[table as Table] += n;
  }
  return total;
}
