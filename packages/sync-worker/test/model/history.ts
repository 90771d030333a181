import fc from 'fast-check';
import type { SyncJobData } from '@imsync/callbacks';
import { jobOf } from '../support/jobs.js';

/** A small world, so that events collide: 2 apps, 3 groups, 5 users, 2 topics per group. */
export const APPS = [1400000001, 1400000002] as const;
export const GROUPS = ['@TGS#g1', '@TGS#g2', '@TGS#_g3'] as const;
export const USERS = ['u1', 'u2', 'u3', 'u4', 'u5'] as const;
/** Event times are drawn from T0 + [0, 15] ms, so that ties on the time are common. */
export const T0 = 1_700_000_000_000;
const SPAN = 15;

type Body = Record<string, unknown>;
/** Absent once in `freq` times. */
const opt = <T>(a: fc.Arbitrary<T>, freq = 2) => fc.option(a, { nil: undefined, freq });
/** Present once in 5 times. */
const rare = <T>(a: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: a, weight: 1 });
const user = fc.constantFrom(...USERS);
const groupId = fc.oneof(
  { arbitrary: fc.constant(GROUPS[0]), weight: 4 },
  { arbitrary: fc.constant(GROUPS[1]), weight: 2 },
  { arbitrary: fc.constant(GROUPS[2]), weight: 1 },
);
const groupType = fc.constantFrom('Public', 'Private', 'ChatRoom', 'AVChatRoom', 'Community');
const text = fc.constantFrom('a', 'b', 'c');
const members = (max: number) =>
  fc.uniqueArray(user, { maxLength: max }).map((us) => us.map((Member_Account) => ({ Member_Account })));
const keyValueList = fc.array(fc.record({ Key: fc.constantFrom('k1', 'k2'), Value: text }), { maxLength: 2 });
const pair = fc.record({ From_Account: user, To_Account: user });
const pairs = fc.array(pair, { minLength: 1, maxLength: 3 });
const topicSuffix = fc.constantFrom('t1', 't2');
const infoFields = {
  Name: opt(text),
  Introduction: opt(text),
  Notification: opt(text),
  FaceUrl: opt(fc.constantFrom('http://f1', 'http://f2')),
};

/** The head of a group event; sometimes `groupID` instead of `GroupId`, as the English docs write it. */
const groupEvent = (fields: Record<string, fc.Arbitrary<unknown>>) =>
  fc
    .record({
      gid: groupId,
      alias: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
      head: fc.record({ Type: opt(groupType), Operator_Account: opt(user), ...fields }),
    })
    .map(({ gid, alias, head }) => ({ [alias ? 'groupID' : 'GroupId']: gid, ...head }) as Body);

/** A group event whose topic ids belong to its group. */
const topicEvent = (make: (topicId: (s: string) => string) => fc.Arbitrary<Body>) =>
  groupId.chain((gid) => make((s) => `${gid}@TOPIC#_${s}`).map((b) => ({ GroupId: gid, ...b })));

const BODIES: Record<string, { weight: number; body: fc.Arbitrary<Body> }> = {
  'State.StateChange': {
    weight: 3,
    body: fc.record({
      Info: fc.record({
        Action: fc.constantFrom('Login', 'Logout', 'Disconnect'),
        To_Account: user,
        Reason: opt(fc.constantFrom('Register', 'Unregister', 'LinkClose', 'TimeOut')),
      }),
    }),
  },
  'Profile.CallbackPortraitSet': {
    weight: 3,
    body: fc.record({
      From_Account: user,
      ProfileItem: fc.array(
        fc.record({
          Tag: fc.constantFrom('Tag_Profile_IM_Nick', 'Tag_Profile_IM_Gender', 'Tag_Profile_Custom_x'),
          Value: fc.oneof(text, fc.integer({ min: 0, max: 3 })),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    }),
  },
  'Sns.CallbackFriendAdd': {
    weight: 3,
    body: fc.record({
      PairList: fc.array(fc.record({ From_Account: user, To_Account: user, Initiator_Account: opt(user) }), {
        minLength: 1,
        maxLength: 3,
      }),
      ClientCmd: opt(fc.constantFrom('friend_add', 'friend_response')),
    }),
  },
  'Sns.CallbackFriendDelete': { weight: 2, body: fc.record({ PairList: pairs }) },
  'Sns.CallbackBlackListAdd': { weight: 2, body: fc.record({ PairList: pairs }) },
  'Sns.CallbackBlackListDelete': { weight: 2, body: fc.record({ PairList: pairs }) },
  'Group.CallbackAfterCreateGroup': {
    weight: 5,
    body: groupEvent({
      Type: groupType,
      Operator_Account: user,
      Owner_Account: opt(user, 4),
      ...infoFields,
      Name: text,
      MemberList: members(3),
      UserDefinedDataList: opt(keyValueList),
    }),
  },
  'Group.CallbackAfterNewMemberJoin': {
    weight: 6,
    body: groupEvent({ JoinType: opt(fc.constantFrom('Apply', 'Invited'), 4), NewMemberList: members(3) }),
  },
  'Group.CallbackAfterMemberExit': {
    weight: 4,
    body: groupEvent({ ExitType: opt(fc.constantFrom('Quit', 'Kicked'), 4), ExitMemberList: members(2) }),
  },
  'Group.CallbackAfterGroupDestroyed': {
    weight: 3,
    body: groupEvent({ Owner_Account: opt(user), Name: opt(text), MemberList: opt(members(3)) }),
  },
  'Group.CallbackAfterGroupInfoChanged': { weight: 3, body: groupEvent(infoFields) },
  'Group.CallbackAfterChangeGroupOwner': {
    weight: 2,
    body: groupEvent({ OldOwner_Account: user, NewOwner_Account: user }),
  },
  'Group.CallbackAfterMemberFieldChanged': {
    weight: 3,
    body: fc
      .record({
        head: groupEvent({
          Role: opt(fc.constantFrom('Owner', 'Admin', 'Member'), 4),
          NameCard: opt(text, 4),
        }),
        account: user,
        chinese: fc.boolean(),
      })
      .map(({ head, account, chinese }) => ({
        ...head,
        [chinese ? 'Modified_Account' : 'Member_Account']: account,
      })),
  },
  'Group.CallbackAfterGroupAttrChanged': {
    weight: 4,
    body: groupEvent({
      OptionType: fc.constantFrom('set', 'modify', 'delete', 'clear'),
      GroupAttr: fc.array(fc.record({ key: fc.constantFrom('a1', 'a2'), value: text }), { maxLength: 2 }),
    }),
  },
  'Group.CallbackAfterGroupFull': {
    weight: 2,
    body: topicEvent((topic) => fc.record({ TopicId: rare(topicSuffix.map(topic)) })),
  },
  'Group.CallbackOnMemberStateChange': {
    weight: 2,
    body: groupEvent({
      EventType: fc.constantFrom('Online', 'Offline'),
      EventCause: opt(fc.constantFrom('Join', 'Quit')),
      MemberList: members(2),
    }),
  },
  'Group.CallbackAfterSendMsg': {
    weight: 4,
    body: topicEvent((topic) =>
      fc.record({
        Type: opt(groupType),
        From_Account: user,
        MsgSeq: fc.integer({ min: 1, max: 8 }),
        MsgTime: opt(fc.integer({ min: T0 / 1000, max: T0 / 1000 + 3 }), 3),
        Random: fc.integer({ min: 0, max: 1000 }),
        TopicId: rare(topicSuffix.map(topic)),
      }),
    ),
  },
  'Group.CallbackAfterCreateTopic': {
    weight: 2,
    body: topicEvent((topic) =>
      fc.record({
        Type: opt(fc.constant('Community')),
        TopicId: opt(topicSuffix.map(topic), 6),
        Owner_Account: opt(user),
        ...infoFields,
        UserDefinedDataList: opt(keyValueList),
      }),
    ),
  },
  'Group.CallbackAfterTopicDestroyed': {
    weight: 2,
    body: topicEvent((topic) =>
      fc.oneof(
        fc.record({ TopicIdList: fc.uniqueArray(topicSuffix.map(topic), { maxLength: 2 }) }),
        fc.record({ TopicId: topicSuffix.map(topic) }),
      ),
    ),
  },
  'Group.CallbackAfterTopicInfoChanged': {
    weight: 2,
    body: topicEvent((topic) => fc.record({ TopicId: opt(topicSuffix.map(topic), 6), ...infoFields })),
  },
};

export const COMMANDS = Object.keys(BODIES);

/** One callback as ingest would enqueue it; most carry EventTime (a number or a numeric string). */
export const jobArb: fc.Arbitrary<SyncJobData> = fc
  .record({
    app: fc.oneof(
      { arbitrary: fc.constant(APPS[0]), weight: 3 },
      { arbitrary: fc.constant(APPS[1]), weight: 1 },
    ),
    cmd: fc.oneof(
      ...Object.entries(BODIES).map(([command, { weight, body }]) => ({
        weight,
        arbitrary: body.map((b) => ({ command, body: b })),
      })),
    ),
    eventTime: opt(fc.integer({ min: 0, max: SPAN }), 5),
    asString: fc.boolean(),
    receivedAt: fc.integer({ min: 0, max: SPAN }),
    clientIp: fc.option(fc.constantFrom('10.0.0.1', '10.0.0.2')),
    optPlatform: fc.option(fc.constantFrom('iOS', 'Android', 'Web')),
  })
  .map(({ app, cmd, eventTime, asString, receivedAt, clientIp, optPlatform }) => {
    const body: Body = { ...cmd.body };
    if (eventTime !== undefined) body.EventTime = asString ? String(T0 + eventTime) : T0 + eventTime;
    return jobOf(cmd.command, body, { sdkAppId: app, receivedAt: T0 + receivedAt, clientIp, optPlatform });
  });

/** What a script's events share: one app, one group, one pair of users, one user. */
interface Cast {
  readonly gid: string;
  readonly pair: { readonly From_Account: string; readonly To_Account: string };
  readonly user: string;
}

/**
 * A script: commands that happen to the same entities in this order (times drawn sorted, ties allowed),
 * each body random but for what `cast` pins. Scripts are added to some histories and shuffled like the
 * rest, so that the interesting interleavings are common.
 */
interface Script {
  readonly commands: readonly string[];
  readonly cast: (body: Body, c: Cast, i: number) => Body;
}

const inGroup = (body: Body, c: Cast): Body => {
  const { groupID: _alias, ...rest } = body;
  const topic = rest.TopicId === undefined ? {} : { TopicId: `${c.gid}@TOPIC#_t1` };
  return { ...rest, GroupId: c.gid, ...topic };
};

const SCRIPTS: readonly Script[] = [
  {
    // a group's life: created, joined, a topic, a message, destroyed, re-created, a message, a join
    commands: [
      'Group.CallbackAfterCreateGroup',
      'Group.CallbackAfterNewMemberJoin',
      'Group.CallbackAfterCreateTopic',
      'Group.CallbackAfterSendMsg',
      'Group.CallbackAfterGroupDestroyed',
      'Group.CallbackAfterCreateGroup',
      'Group.CallbackAfterSendMsg',
      'Group.CallbackAfterNewMemberJoin',
    ],
    cast: inGroup,
  },
  {
    // attributes: modify, delete, set, modify, clear, modify, delete
    commands: Array.from({ length: 7 }, () => 'Group.CallbackAfterGroupAttrChanged'),
    cast: (body, c, i) => ({
      ...inGroup(body, c),
      OptionType: ['modify', 'delete', 'set', 'modify', 'clear', 'modify', 'delete'][i],
    }),
  },
  {
    // one pair: friends, not, friends again; blocked, unblocked
    commands: [
      'Sns.CallbackFriendAdd',
      'Sns.CallbackFriendDelete',
      'Sns.CallbackFriendAdd',
      'Sns.CallbackBlackListAdd',
      'Sns.CallbackBlackListDelete',
    ],
    cast: (body, c) => ({ ...body, PairList: [{ ...(body.PairList as Body[])[0], ...c.pair }] }),
  },
  {
    // one user: profile changes and state changes
    commands: [
      'Profile.CallbackPortraitSet',
      'State.StateChange',
      'Profile.CallbackPortraitSet',
      'State.StateChange',
      'Profile.CallbackPortraitSet',
    ],
    cast: (body, c) =>
      body.Info
        ? { ...body, Info: { ...(body.Info as Body), To_Account: c.user } }
        : { ...body, From_Account: c.user },
  },
  {
    // messages of one group, with random sequence numbers
    commands: Array.from({ length: 4 }, () => 'Group.CallbackAfterSendMsg'),
    cast: inGroup,
  },
];

const scriptArb = (script: Script): fc.Arbitrary<SyncJobData[]> =>
  fc
    .record({
      app: fc.constantFrom(...APPS),
      cast: fc.record({ gid: groupId, pair, user }),
      times: fc.array(fc.integer({ min: 0, max: SPAN }), {
        minLength: script.commands.length,
        maxLength: script.commands.length,
      }),
      withTime: fc.array(fc.boolean(), {
        minLength: script.commands.length,
        maxLength: script.commands.length,
      }),
      bodies: fc.tuple(...script.commands.map((c) => BODIES[c]!.body)),
    })
    .map(({ app, cast, times, withTime, bodies }) => {
      const sorted = [...times].sort((a, b) => a - b);
      return script.commands.map((command, i) => {
        const body = script.cast(bodies[i]!, cast, i);
        // without EventTime, the time ingest received it (the same order here)
        const t = T0 + sorted[i]!;
        return withTime[i]
          ? jobOf(command, { ...body, EventTime: t }, { sdkAppId: app, receivedAt: T0 + SPAN })
          : jobOf(command, body, { sdkAppId: app, receivedAt: t });
      });
    });

const scriptsArb = fc
  .tuple(...SCRIPTS.map((s) => fc.option(scriptArb(s), { nil: [], freq: 2 })))
  .map((jobs) => jobs.flat());

/**
 * A history of distinct events (one delivery each: a second event with the same content would be the
 * same event), delivered shuffled and with some of them twice or more.
 */
export const deliveryArb = fc
  .tuple(fc.array(jobArb, { minLength: 1, maxLength: 30, size: 'max' }), scriptsArb)
  .map(([jobs, scripted]) => [...new Map([...jobs, ...scripted].map((j) => [j.eventKey, j])).values()])
  .chain((history) =>
    fc
      .array(fc.constantFrom(...history), { maxLength: Math.ceil(history.length / 2) })
      .chain((dups) =>
        fc.shuffledSubarray([...history, ...dups], { minLength: history.length + dups.length }),
      )
      .map((delivery) => ({ history, delivery })),
  );
