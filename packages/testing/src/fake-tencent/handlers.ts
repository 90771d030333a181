import type { FakeAppState, FakeGroup, FakeMember } from './state.js';

/** A Tencent error answer, thrown by a handler. */
export class FakeError extends Error {
  constructor(
    readonly code: number,
    readonly info: string,
  ) {
    super(info);
  }
}

export interface HandlerOptions {
  /** `friend_get` page size (Tencent chooses its own). */
  readonly friendPageSize: number;
}

type Body = Record<string, unknown>;
type Handler = (state: FakeAppState, body: Body, options: HandlerOptions) => Record<string, unknown>;

const invalid = (what: string) => new FakeError(10004, `parameter is invalid: ${what}`);
const list = (body: Body, field: string, max: number, code = 10004): string[] => {
  const v = body[field];
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string'))
    throw new FakeError(code, `parameter is invalid: ${field} must be a non-empty list of strings`);
  if (v.length > max) throw new FakeError(code, `parameter is invalid: ${field} holds more than ${max}`);
  return v as string[];
};
const str = (body: Body, field: string, code = 10004): string => {
  const v = body[field];
  if (typeof v !== 'string' || v === '')
    throw new FakeError(code, `parameter is invalid: ${field} is required`);
  return v;
};
const int = (body: Body, field: string, dflt?: number): number => {
  const v = body[field] ?? dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw invalid(`${field} must be a whole number`);
  return v;
};
const groupOf = (state: FakeAppState, body: Body): FakeGroup => {
  const group = state.groups.get(str(body, 'GroupId'));
  if (!group) throw new FakeError(10010, 'this group does not exist');
  return group;
};
const kv = (m: Map<string, string>, keys?: unknown) =>
  [...m].filter(([k]) => !Array.isArray(keys) || keys.includes(k)).map(([Key, Value]) => ({ Key, Value }));
/** A page of a map's entries in key order, and the next start (0 when none remains). */
const pageOf = <V>(m: Map<string, V>, start: number, size: number) => {
  const page = [...m].sort(([a], [b]) => (a < b ? -1 : 1)).slice(start, start + size);
  return { page, next: start + page.length >= m.size ? 0 : start + page.length };
};
const memberView = ({ seq: _seq, ...m }: FakeMember, body: Body) => {
  const fields = body.MemberInfoFilter;
  if (!Array.isArray(fields)) return m;
  return Object.fromEntries(Object.entries(m).filter(([k]) => k === 'Member_Account' || fields.includes(k)));
};

/** The fields of a group that are not base info. */
const NOT_BASE = new Set(['GroupId', 'AppDefinedData', 'members', 'attrs', 'topics', 'seq']);

export const HANDLERS: Record<string, Handler> = {
  'group_open_http_svc/get_appid_group_list': (state, body) => {
    const limit = int(body, 'Limit', 10000);
    if (limit < 1 || limit > 10000) throw invalid('Limit must be 1..10000');
    const next = int(body, 'Next', 0);
    const type = body.GroupType;
    const all = [...state.groups.values()]
      .filter((g) => type === undefined || g.Type === type)
      .sort((a, b) => a.seq - b.seq);
    const page = all.filter((g) => g.seq > next).slice(0, limit);
    const more = page.length > 0 && page[page.length - 1] !== all[all.length - 1];
    return {
      TotalCount: all.length,
      GroupIdList: page.map((g) => ({ GroupId: g.GroupId })),
      Next: more ? page[page.length - 1]!.seq : 0,
    };
  },

  'group_open_http_svc/get_group_info': (state, body) => {
    const ids = list(body, 'GroupIdList', 50);
    const filter = body.ResponseFilter as Record<string, unknown> | undefined;
    const baseFields = filter ? ((filter.GroupBaseInfoFilter as string[] | undefined) ?? []) : undefined;
    return {
      GroupInfo: ids.map((GroupId) => {
        const g = state.groups.get(GroupId);
        if (!g) return { GroupId, ErrorCode: 10010, ErrorInfo: 'this group does not exist' };
        const info: Record<string, unknown> = { GroupId, ErrorCode: 0, ErrorInfo: '' };
        for (const f of baseFields ??
          Object.keys(g)
            .filter((k) => !NOT_BASE.has(k))
            .concat('MemberNum'))
          info[f] = f === 'MemberNum' ? g.members.size : (g as unknown as Record<string, unknown>)[f];
        if (!filter || Array.isArray(filter.AppDefinedDataFilter_Group))
          info.AppDefinedData = kv(g.AppDefinedData, filter?.AppDefinedDataFilter_Group);
        if (!filter || Array.isArray(filter.MemberInfoFilter))
          info.MemberList =
            g.Type === 'AVChatRoom' ? [] : [...g.members.values()].map((m) => memberView(m, filter ?? {}));
        return info;
      }),
    };
  },

  'group_open_http_svc/get_group_member_info': (state, body) => {
    const g = groupOf(state, body);
    if (g.Type === 'AVChatRoom') throw new FakeError(10007, 'AVChatRoom does not support this API');
    const limit = body.Limit === undefined ? undefined : int(body, 'Limit');
    if (limit !== undefined && (limit < 1 || limit > 200)) throw invalid('Limit must be 1..200');
    const roles = body.MemberRoleFilter;
    const all = [...g.members.values()]
      .filter((m) => !Array.isArray(roles) || roles.includes(m.Role))
      .sort((a, b) => (a.seq < b.seq ? -1 : 1));
    if (g.Type === 'Community') {
      if (typeof body.Next !== 'string')
        throw invalid('a Community group pages with Next (a string), not Offset');
      if (!/^\d*$/.test(body.Next)) throw invalid('Next must be "" or a cursor this API returned');
      const after = body.Next === '' ? 0n : BigInt(body.Next);
      const rest = all.filter((m) => m.seq > after);
      const page = rest.slice(0, limit ?? rest.length);
      const more = page.length < rest.length;
      const last = page[page.length - 1];
      return {
        MemberNum: g.members.size,
        MemberList: page.map((m) => memberView(m, body)),
        Next: more && last ? String(last.seq) : '',
      };
    }
    if (body.Next !== undefined) throw invalid('only Community groups page with Next');
    const offset = int(body, 'Offset', 0);
    const page = all.slice(offset, limit === undefined ? undefined : offset + limit);
    return { MemberNum: g.members.size, MemberList: page.map((m) => memberView(m, body)) };
  },

  'group_open_attr_http_svc/get_group_attr': (state, body) => ({
    GroupAttrAry: [...groupOf(state, body).attrs].map(([key, value]) => ({ key, value })),
  }),

  'million_group_open_http_svc/get_topic': (state, body) => {
    const g = groupOf(state, body);
    if (g.Type !== 'Community') throw new FakeError(10007, 'only Community groups have topics');
    const from = str(body, 'From_Account');
    if (!g.members.has(from)) throw new FakeError(10007, `${from} is not a member of the group`);
    const ids = body.TopicIdList;
    return {
      TopicAndSelfInfo: (Array.isArray(ids) ? (ids as string[]) : [...g.topics.keys()]).map((id) => {
        const t = g.topics.get(id);
        if (!t) return { ErrorCode: 10010, ErrorInfo: `topic ${id} does not exist` };
        const self = g.members.get(from)!;
        return {
          ErrorCode: 0,
          ErrorInfo: '',
          TopicInfo: { ...t, GroupID: g.GroupId, LastMsgTime: 0, NextMsgSeq: 1, ShutUpAllFlag: 0 },
          SelfInfo: { JoinTime: self.JoinTime, MsgFlag: self.MsgFlag, MuteUntil: self.MuteUntil },
        };
      }),
    };
  },

  'openim/query_online_status': (state, body) => {
    const accounts = list(body, 'To_Account', 500, 70402);
    const known = accounts.filter((a) => state.users.has(a));
    return {
      QueryResult: known.map((a) => {
        const u = state.users.get(a)!;
        return {
          To_Account: a,
          Status: u.online,
          ...(body.IsNeedDetail === 1 && u.online !== 'Offline'
            ? { Detail: [{ Platform: u.platform, Status: u.online }] }
            : {}),
        };
      }),
      ErrorList: accounts
        .filter((a) => !state.users.has(a))
        .map((To_Account) => ({ To_Account, ErrorCode: 70107 })),
    };
  },

  'profile/portrait_get': (state, body) => {
    const accounts = list(body, 'To_Account', 100, 40001);
    const tags = list(body, 'TagList', 1000, 40001);
    const fail = accounts.filter((a) => !state.users.has(a));
    return {
      ErrorDisplay: '',
      UserProfileItem: accounts.map((To_Account) => {
        const u = state.users.get(To_Account);
        if (!u) return { To_Account, ResultCode: 40003, ResultInfo: 'Account not found' };
        const ProfileItem = tags
          .filter((t) => u.profile.has(t))
          .map((Tag) => ({ Tag, Value: u.profile.get(Tag)! }));
        return { To_Account, ProfileItem, ResultCode: 0, ResultInfo: '' };
      }),
      ...(fail.length ? { Fail_Account: fail } : {}),
    };
  },

  'im_open_login_svc/account_check': (state, body) => {
    const items = body.CheckItem;
    if (!Array.isArray(items) || items.length === 0 || items.length > 100)
      throw new FakeError(70402, 'CheckItem: 1..100 items');
    return {
      ResultItem: (items as { UserID?: unknown }[]).map(({ UserID }) => {
        if (typeof UserID !== 'string')
          return { UserID: '', ResultCode: 70402, ResultInfo: 'UserID is required' };
        return {
          UserID,
          ResultCode: 0,
          ResultInfo: '',
          AccountStatus: state.users.has(UserID) ? 'Imported' : 'NotImported',
        };
      }),
    };
  },

  'sns/friend_get': (state, body, options) => {
    const u = state.users.get(str(body, 'From_Account', 30001));
    if (!u) throw new FakeError(30003, 'From_Account does not exist');
    const start = int(body, 'StartIndex');
    const { page, next } = pageOf(u.friends, start, options.friendPageSize);
    return {
      ErrorDisplay: '',
      UserDataItem: page.map(([To_Account, f]) => ({
        To_Account,
        ValueItem: [
          { Tag: 'Tag_SNS_IM_AddSource', Value: f.AddSource },
          { Tag: 'Tag_SNS_IM_Remark', Value: f.Remark },
          { Tag: 'Tag_SNS_IM_Group', Value: f.Groups },
          { Tag: 'Tag_SNS_IM_AddTime', Value: f.AddTime },
        ],
      })),
      StandardSequence: u.friends.size,
      CustomSequence: 0,
      FriendNum: u.friends.size,
      CompleteFlag: next ? 0 : 1,
      NextStartIndex: next,
    };
  },

  'sns/black_list_get': (state, body) => {
    const u = state.users.get(str(body, 'From_Account', 30001));
    if (!u) throw new FakeError(30003, 'From_Account does not exist');
    const start = int(body, 'StartIndex');
    const max = int(body, 'MaxLimited');
    if (max < 1 || max > 1000) throw new FakeError(30001, 'MaxLimited must be 1..1000');
    int(body, 'LastSequence');
    const { page, next } = pageOf(u.blocklist, start, max);
    return {
      ErrorDisplay: '',
      BlackListItem: page.map(([To_Account, AddBlackTimeStamp]) => ({ To_Account, AddBlackTimeStamp })),
      StartIndex: next,
      CurruentSequence: u.blocklist.size,
    };
  },
};
