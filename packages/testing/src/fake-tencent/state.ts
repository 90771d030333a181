/** A model of one Tencent IM app's state, as the fake REST server serves it. Tests mutate it to model drift. */

export type FakeGroupType =
  'Public' | 'Private' | 'ChatRoom' | 'AVChatRoom' | 'Community' | 'Work' | 'Meeting';

export interface FakeMember {
  Member_Account: string;
  Role: 'Owner' | 'Admin' | 'Member';
  JoinTime: number;
  NameCard: string;
  MuteUntil: number;
  MsgFlag: string;
  AppMemberDefinedData: { Key: string; Value: string }[];
  /** Community paging order: a decimal above 2^53, as Tencent's `Next` cursors are. */
  seq: bigint;
}

/** A topic as `get_topic` answers it (`GroupID` and the message fields are added when served). */
export interface FakeTopic {
  TopicId: string;
  TopicName: string;
  Introduction: string;
  Notification: string;
  FaceUrl: string;
  CustomString: string;
  CreateTime: number;
}

/** The base fields `get_group_info` can answer, as Tencent names them. */
export interface FakeGroupInfo {
  GroupId: string;
  Type: FakeGroupType;
  Name: string;
  Introduction: string;
  Notification: string;
  FaceUrl: string;
  Owner_Account: string;
  CreateTime: number;
  ApplyJoinOption: string;
  MaxMemberNum: number;
}

export interface FakeGroup extends FakeGroupInfo {
  AppDefinedData: Map<string, string>;
  members: Map<string, FakeMember>;
  attrs: Map<string, string>;
  topics: Map<string, FakeTopic>;
  /** `get_appid_group_list` paging order (> 2^32, like Tencent's sample cursor). */
  seq: number;
}

export interface FakeFriend {
  AddTime: number;
  AddSource: string;
  Remark: string;
  Groups: string[];
}

export interface FakeUser {
  account: string;
  /** `Tag_Profile_IM_*` / `Tag_Profile_Custom_*` → value. */
  profile: Map<string, string | number>;
  online: 'Online' | 'PushOnline' | 'Offline';
  platform: string;
  friends: Map<string, FakeFriend>;
  /** Blocked account → AddBlackTimeStamp (s). */
  blocklist: Map<string, number>;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

export class FakeAppState {
  readonly groups = new Map<string, FakeGroup>();
  readonly users = new Map<string, FakeUser>();
  #groupSeq = 4_454_685_361;
  #memberSeq = 144_115_265_295_492_787n;
  #groups = 0;

  /** Adds an account (an imported user), or sets profile tags of one that exists. */
  addUser(account: string, profile: Record<string, string | number> = {}): FakeUser {
    let user = this.users.get(account);
    if (!user) {
      user = {
        account,
        profile: new Map(),
        online: 'Offline',
        platform: '',
        friends: new Map(),
        blocklist: new Map(),
      };
      this.users.set(account, user);
    }
    for (const [tag, value] of Object.entries(profile)) user.profile.set(tag, value);
    return user;
  }

  removeUser(account: string): void {
    this.users.delete(account);
  }

  setOnline(account: string, status: FakeUser['online'], platform = 'Android'): void {
    Object.assign(this.user(account), { online: status, platform: status === 'Offline' ? '' : platform });
  }

  /** Creates a group; its owner becomes a user and (but in an AVChatRoom) its Owner member. */
  addGroup(
    init: Partial<FakeGroupInfo> &
      Pick<FakeGroupInfo, 'Type' | 'Owner_Account'> & { AppDefinedData?: Record<string, string> },
  ): FakeGroup {
    const n = ++this.#groups;
    const GroupId = init.GroupId ?? (init.Type === 'Community' ? `@TGS#_@TGS#c${n}` : `@TGS#${n}`);
    if (this.groups.has(GroupId)) throw new Error(`fake Tencent: group ${GroupId} exists`);
    this.#groupSeq += 1 + (n % 7);
    const group: FakeGroup = {
      ...{ Name: `group ${n}`, Introduction: '', Notification: '', FaceUrl: '', CreateTime: nowSeconds() },
      ...{ ApplyJoinOption: 'NeedPermission', MaxMemberNum: init.Type === 'Community' ? 100000 : 2000 },
      ...init,
      GroupId,
      AppDefinedData: new Map(Object.entries(init.AppDefinedData ?? {})),
      ...{ members: new Map(), attrs: new Map(), topics: new Map(), seq: this.#groupSeq },
    };
    this.groups.set(GroupId, group);
    this.addUser(init.Owner_Account);
    if (group.Type !== 'AVChatRoom') this.addMember(GroupId, init.Owner_Account, { Role: 'Owner' });
    return group;
  }

  /** Dismisses a group: Tencent answers 10010 for it from now on. */
  destroyGroup(groupId: string): void {
    this.groups.delete(groupId);
  }

  addMember(
    groupId: string,
    account: string,
    init: Partial<Omit<FakeMember, 'Member_Account' | 'seq'>> = {},
  ): FakeMember {
    const group = this.group(groupId);
    this.addUser(account);
    const member: FakeMember = {
      ...{ Role: 'Member', JoinTime: nowSeconds(), NameCard: '', MuteUntil: 0, MsgFlag: 'AcceptAndNotify' },
      AppMemberDefinedData: [],
      ...init,
      Member_Account: account,
      seq: ++this.#memberSeq,
    };
    group.members.set(account, member);
    return member;
  }

  removeMember(groupId: string, account: string): void {
    this.group(groupId).members.delete(account);
  }

  /** Sets a group attribute (`null` removes it). */
  setGroupAttr(groupId: string, key: string, value: string | null): void {
    if (value === null) this.group(groupId).attrs.delete(key);
    else this.group(groupId).attrs.set(key, value);
  }

  addTopic(
    groupId: string,
    name: string,
    init: Partial<Omit<FakeTopic, 'TopicId' | 'TopicName'>> = {},
  ): FakeTopic {
    const group = this.group(groupId);
    if (group.Type !== 'Community') throw new Error(`fake Tencent: ${groupId} is not a Community group`);
    const topic: FakeTopic = {
      ...{ Introduction: '', Notification: '', FaceUrl: '', CustomString: '', CreateTime: nowSeconds() },
      ...init,
      ...{ TopicId: `${groupId}@TOPIC#_${name}`, TopicName: name },
    };
    group.topics.set(topic.TopicId, topic);
    return topic;
  }

  /** `from` adds `to` as a friend (one direction: call twice for both). */
  addFriend(from: string, to: string, init: Partial<FakeFriend> = {}): void {
    this.addUser(to);
    const friend = {
      AddTime: nowSeconds(),
      AddSource: 'AddSource_Type_Server',
      Remark: '',
      Groups: [],
      ...init,
    };
    this.user(from).friends.set(to, friend);
  }

  removeFriend(from: string, to: string): void {
    this.user(from).friends.delete(to);
  }

  block(from: string, to: string, at = nowSeconds()): void {
    this.addUser(to);
    this.user(from).blocklist.set(to, at);
  }

  unblock(from: string, to: string): void {
    this.user(from).blocklist.delete(to);
  }

  group(groupId: string): FakeGroup {
    const group = this.groups.get(groupId);
    if (!group) throw new Error(`fake Tencent: no group ${groupId}`);
    return group;
  }

  user(account: string): FakeUser {
    const user = this.users.get(account);
    if (!user) throw new Error(`fake Tencent: no account ${account}`);
    return user;
  }
}

export interface PopulateOptions {
  readonly groups: number;
  readonly users: number;
  /** Members per group, at most (a group gets between 1 and this many). Default 10. */
  readonly maxMembers?: number;
  readonly seed?: number;
}

/**
 * Fills a state with a deterministic app: users (`user0`…) with profiles and online states, groups of every
 * type (Community groups with topics), members, attributes, custom data, friends and blocklists.
 */
export function populate(state: FakeAppState, options: PopulateOptions): FakeAppState {
  const rand = seededRandom(options.seed ?? 1);
  const users = Array.from({ length: options.users }, (_, i) => `user${i}`);
  const anyone = () => users[rand(users.length)]!;
  for (const u of users) {
    state.addUser(u, { Tag_Profile_IM_Nick: `Nick ${u}`, Tag_Profile_IM_Gender: 'Gender_Type_Unknown' });
    state.setOnline(u, (['Online', 'PushOnline', 'Offline'] as const)[rand(3)]!);
  }
  const types: FakeGroupType[] = ['Public', 'Private', 'ChatRoom', 'AVChatRoom', 'Community'];
  for (let g = 0; g < options.groups; g++) {
    const Type = types[g % types.length]!;
    const group = state.addGroup({ Type, Owner_Account: anyone(), AppDefinedData: { Tier: `t${g % 3}` } });
    for (let m = Type === 'AVChatRoom' ? 0 : rand(options.maxMembers ?? 10); m > 0; m--) {
      const account = anyone();
      if (!group.members.has(account))
        state.addMember(group.GroupId, account, { Role: m % 5 ? 'Member' : 'Admin' });
    }
    if (g % 4 === 0) state.setGroupAttr(group.GroupId, 'k', `v${g}`);
    for (let t = Type === 'Community' ? 1 + rand(3) : 0; t > 0; t--)
      state.addTopic(group.GroupId, `topic${t}`);
  }
  for (const u of users) {
    for (let f = rand(4); f > 0; f--) {
      const friend = anyone();
      if (friend !== u) state.addFriend(u, friend);
    }
    const blocked = anyone();
    if (rand(4) === 0 && blocked !== u) state.block(u, blocked);
  }
  return state;
}

/** A seeded PRNG (mulberry32) whose output bits are all well mixed: `rand(n)` is an integer in [0, n). */
function seededRandom(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n);
  };
}
