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

export interface FakeTopic {
  TopicId: string;
  TopicName: string;
  Introduction: string;
  Notification: string;
  FaceUrl: string;
  CustomString: string;
  CreateTime: number;
}

export interface FakeGroup {
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
  custom: Map<string, string>;
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
const GROUP_SEQ_BASE = 4_454_685_361;
const MEMBER_SEQ_BASE = 144_115_265_295_492_787n;

export class FakeAppState {
  readonly groups = new Map<string, FakeGroup>();
  readonly users = new Map<string, FakeUser>();
  #groupSeq = GROUP_SEQ_BASE;
  #memberSeq = MEMBER_SEQ_BASE;
  #groupCounter = 0;

  /** Adds an account (an imported user); its profile tags may be given. */
  addUser(account: string, profile: Record<string, string | number> = {}): FakeUser {
    const existing = this.users.get(account);
    if (existing) {
      for (const [t, v] of Object.entries(profile)) existing.profile.set(t, v);
      return existing;
    }
    const user: FakeUser = {
      account,
      profile: new Map(Object.entries(profile)),
      online: 'Offline',
      platform: '',
      friends: new Map(),
      blocklist: new Map(),
    };
    this.users.set(account, user);
    return user;
  }

  removeUser(account: string): void {
    this.users.delete(account);
  }

  setProfile(account: string, tag: string, value: string | number): void {
    this.#user(account).profile.set(tag, value);
  }

  setOnline(account: string, status: FakeUser['online'], platform = 'Android'): void {
    const user = this.#user(account);
    user.online = status;
    user.platform = status === 'Offline' ? '' : platform;
  }

  /** Creates a group owned by `owner` (an account; added as a user and as the Owner member unless AVChatRoom). */
  addGroup(
    init: Partial<Omit<FakeGroup, 'members' | 'attrs' | 'topics' | 'AppDefinedData' | 'seq'>> & {
      Type: FakeGroupType;
      Owner_Account: string;
      AppDefinedData?: Record<string, string>;
    },
  ): FakeGroup {
    const n = ++this.#groupCounter;
    const GroupId = init.GroupId ?? (init.Type === 'Community' ? `@TGS#_@TGS#c${n}` : `@TGS#${n}`);
    if (this.groups.has(GroupId)) throw new Error(`fake Tencent: group ${GroupId} exists`);
    this.#groupSeq += 1 + (n % 7);
    const group: FakeGroup = {
      Name: `group ${n}`,
      Introduction: '',
      Notification: '',
      FaceUrl: '',
      CreateTime: nowSeconds(),
      ApplyJoinOption: 'NeedPermission',
      MaxMemberNum: init.Type === 'Community' ? 100000 : 2000,
      ...init,
      GroupId,
      AppDefinedData: new Map(Object.entries(init.AppDefinedData ?? {})),
      members: new Map(),
      attrs: new Map(),
      topics: new Map(),
      seq: this.#groupSeq,
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
      Role: 'Member',
      JoinTime: nowSeconds(),
      NameCard: '',
      MuteUntil: 0,
      MsgFlag: 'AcceptAndNotify',
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

  setGroupAttr(groupId: string, key: string, value: string | null): void {
    const attrs = this.group(groupId).attrs;
    if (value === null) attrs.delete(key);
    else attrs.set(key, value);
  }

  addTopic(
    groupId: string,
    name: string,
    init: Partial<Omit<FakeTopic, 'TopicId' | 'TopicName'>> = {},
  ): FakeTopic {
    const group = this.group(groupId);
    if (group.Type !== 'Community') throw new Error(`fake Tencent: ${groupId} is not a Community group`);
    const topic: FakeTopic = {
      Introduction: '',
      Notification: '',
      FaceUrl: '',
      CustomString: '',
      CreateTime: nowSeconds(),
      ...init,
      TopicId: `${groupId}@TOPIC#_${name}`,
      TopicName: name,
    };
    group.topics.set(topic.TopicId, topic);
    return topic;
  }

  removeTopic(groupId: string, topicId: string): void {
    this.group(groupId).topics.delete(topicId);
  }

  /** `from` adds `to` as a friend (one direction: call twice for both). */
  addFriend(from: string, to: string, init: Partial<Omit<FakeFriend, 'custom'>> = {}): void {
    this.addUser(to);
    this.#user(from).friends.set(to, {
      AddTime: nowSeconds(),
      AddSource: 'AddSource_Type_Server',
      Remark: '',
      Groups: [],
      ...init,
      custom: new Map(),
    });
  }

  removeFriend(from: string, to: string): void {
    this.#user(from).friends.delete(to);
  }

  block(from: string, to: string, at = nowSeconds()): void {
    this.addUser(to);
    this.#user(from).blocklist.set(to, at);
  }

  unblock(from: string, to: string): void {
    this.#user(from).blocklist.delete(to);
  }

  group(groupId: string): FakeGroup {
    const group = this.groups.get(groupId);
    if (!group) throw new Error(`fake Tencent: no group ${groupId}`);
    return group;
  }

  #user(account: string): FakeUser {
    const user = this.users.get(account);
    if (!user) throw new Error(`fake Tencent: no account ${account}`);
    return user;
  }
}

export interface PopulateOptions {
  readonly groups: number;
  readonly users: number;
  /** Members per group, at most (a group gets between 1 and this many). */
  readonly maxMembers?: number;
  readonly seed?: number;
}

/**
 * Fills a state with a deterministic app: users with profiles and online states, groups of every type
 * (Community groups with topics), members, attributes, custom data, friends and blocklists.
 */
export function populate(state: FakeAppState, options: PopulateOptions): FakeAppState {
  let seed = options.seed ?? 1;
  const rand = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % n;
  };
  const users = Array.from({ length: options.users }, (_, i) => `user${i}`);
  const statuses = ['Online', 'PushOnline', 'Offline'] as const;
  for (const u of users) {
    state.addUser(u, { Tag_Profile_IM_Nick: `Nick ${u}`, Tag_Profile_IM_Gender: 'Gender_Type_Unknown' });
    state.setOnline(u, statuses[rand(3)]!);
  }
  const types: FakeGroupType[] = ['Public', 'Private', 'ChatRoom', 'AVChatRoom', 'Community'];
  for (let g = 0; g < options.groups; g++) {
    const type = types[g % types.length]!;
    const group = state.addGroup({
      Type: type,
      Owner_Account: users[rand(users.length)]!,
      AppDefinedData: { Tier: `t${g % 3}` },
    });
    if (type !== 'AVChatRoom') {
      const n = 1 + rand(options.maxMembers ?? 10);
      for (let m = 0; m < n; m++) {
        const account = users[rand(users.length)]!;
        if (!group.members.has(account))
          state.addMember(group.GroupId, account, { Role: m % 5 === 0 ? 'Admin' : 'Member' });
      }
    }
    if (g % 4 === 0) state.setGroupAttr(group.GroupId, 'k', `v${g}`);
    if (type === 'Community')
      for (let t = 0; t < 1 + rand(3); t++) state.addTopic(group.GroupId, `topic${t}`);
  }
  for (const u of users) {
    for (let f = 0; f < rand(4); f++) {
      const to = users[rand(users.length)]!;
      if (to !== u) state.addFriend(u, to);
    }
    if (rand(4) === 0) {
      const to = users[rand(users.length)]!;
      if (to !== u) state.block(u, to);
    }
  }
  return state;
}
