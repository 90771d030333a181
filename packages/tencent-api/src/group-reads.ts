/**
 * The group reads behind `TencentApiClient`'s methods (documented there): they page through a group list or
 * a member list, or split group IDs into Tencent's batches, and answer a group that is gone (10010) as
 * `result: 'gone'`. Every call goes through the client's `Caller`.
 */
import { ENDPOINTS } from './endpoints.js';
import { GROUP_GONE_CODE, TencentApiError } from './errors.js';
import { chunks, cursorStuck, MISSING_ITEM } from './paging.js';
import type { Caller } from './caller.js';
import type { GroupTypeFilter } from './endpoints/get-appid-group-list.js';
import type { GroupInfoFilter } from './endpoints/get-group-info.js';
import type { GetGroupMemberInfoRequest, GroupMember } from './endpoints/get-group-member-info.js';
import type {
  GroupAttrs,
  GroupIdPage,
  GroupInfoResult,
  GroupMembers,
  GroupScoped,
  ItemError,
  MemberPage,
  Topics,
} from './types.js';

export interface GroupIdPagesOptions {
  readonly groupType?: GroupTypeFilter;
  /** IDs per page, at most 10000. Default 10000. */
  readonly pageSize?: number;
  /** Resume from a cursor a previous page returned. Default 0 (the start). */
  readonly next?: number;
}

export interface GroupMemberOptions {
  /** Community groups page with a string `Next`; the others with `Offset`. */
  readonly community: boolean;
  /** Members per page, at most 200. Default 100. */
  readonly pageSize?: number;
  readonly memberInfoFilter?: GetGroupMemberInfoRequest['MemberInfoFilter'];
  readonly memberRoleFilter?: GetGroupMemberInfoRequest['MemberRoleFilter'];
  readonly appDefinedDataFilter?: GetGroupMemberInfoRequest['AppDefinedDataFilter_GroupMember'];
}

/** How many times a member list that changed while paged is read again before it is returned incomplete. */
const MEMBER_LIST_READS = 3;

export async function* groupIdPages(
  caller: Caller,
  options: GroupIdPagesOptions = {},
): AsyncGenerator<GroupIdPage> {
  let next = options.next ?? 0;
  for (;;) {
    const res = await caller.call('get_appid_group_list', {
      Limit: options.pageSize ?? ENDPOINTS.get_appid_group_list.batch,
      Next: next,
      ...(options.groupType ? { GroupType: options.groupType } : {}),
    });
    if (res.Next !== 0 && res.Next === next) throw cursorStuck('get_appid_group_list', String(next));
    next = res.Next;
    yield { groupIds: res.GroupIdList.map((g) => g.GroupId), totalCount: res.TotalCount, next };
    if (next === 0) return;
  }
}

export async function getGroupInfo(
  caller: Caller,
  groupIds: readonly string[],
  filter?: GroupInfoFilter,
): Promise<GroupInfoResult[]> {
  const out: GroupInfoResult[] = [];
  for (const chunk of chunks(groupIds, ENDPOINTS.get_group_info.batch)) {
    const res = await caller.call('get_group_info', {
      GroupIdList: chunk,
      ...(filter ? { ResponseFilter: filter } : {}),
    });
    const byId = new Map(res.GroupInfo.map((g) => [g.GroupId, g]));
    for (const groupId of chunk) {
      const info = byId.get(groupId);
      if (!info) out.push({ groupId, result: 'error', ...MISSING_ITEM });
      else if (info.ErrorCode === 0) out.push({ groupId, result: 'ok', info });
      else
        out.push({
          groupId,
          result: info.ErrorCode === GROUP_GONE_CODE ? 'gone' : 'error',
          code: info.ErrorCode,
          message: info.ErrorInfo,
        });
    }
  }
  return out;
}

export async function* groupMemberPages(
  caller: Caller,
  groupId: string,
  options: GroupMemberOptions,
): AsyncGenerator<MemberPage> {
  const limit = options.pageSize ?? 100;
  const base = {
    GroupId: groupId,
    Limit: limit,
    ...(options.memberInfoFilter ? { MemberInfoFilter: options.memberInfoFilter } : {}),
    ...(options.memberRoleFilter ? { MemberRoleFilter: options.memberRoleFilter } : {}),
    ...(options.appDefinedDataFilter
      ? { AppDefinedDataFilter_GroupMember: options.appDefinedDataFilter }
      : {}),
  };
  if (options.community) {
    for (let next = ''; ;) {
      const res = await caller.call('get_group_member_info', { ...base, Next: next });
      const following = res.Next ?? '';
      if (following !== '' && following === next) throw cursorStuck('get_group_member_info', next);
      yield { members: res.MemberList, memberNum: res.MemberNum };
      if (following === '') return;
      next = following;
    }
  }
  for (let offset = 0; ;) {
    const res = await caller.call('get_group_member_info', { ...base, Offset: offset });
    yield { members: res.MemberList, memberNum: res.MemberNum };
    offset += res.MemberList.length;
    // a short page is the last; so is one that reaches the member count (unless roles filter the list)
    if (res.MemberList.length < limit || (!options.memberRoleFilter && offset >= res.MemberNum)) return;
  }
}

export function getGroupMembers(
  caller: Caller,
  groupId: string,
  options: GroupMemberOptions,
): Promise<GroupScoped<GroupMembers>> {
  return groupScoped(async () => {
    let last: GroupMembers = { members: [], memberNum: 0, complete: false };
    for (let read = 0; read < MEMBER_LIST_READS; read++) {
      const members = new Map<string, GroupMember>();
      const counts = new Set<number>();
      for await (const page of groupMemberPages(caller, groupId, options)) {
        counts.add(page.memberNum);
        for (const m of page.members) members.set(m.Member_Account, m);
      }
      const memberNum = counts.size ? Math.max(...counts) : 0;
      const filtered = options.memberRoleFilter !== undefined;
      const complete = counts.size <= 1 && (filtered || members.size === memberNum);
      last = { members: [...members.values()], memberNum, complete };
      if (complete) break;
    }
    return last;
  });
}

export function getGroupAttr(caller: Caller, groupId: string): Promise<GroupScoped<GroupAttrs>> {
  return groupScoped(async () => {
    const res = await caller.call('get_group_attr', { GroupId: groupId });
    return { attrs: res.GroupAttrAry };
  });
}

export function getTopics(
  caller: Caller,
  groupId: string,
  fromAccount: string,
): Promise<GroupScoped<Topics>> {
  return groupScoped(async () => {
    const res = await caller.call('get_topic', { GroupId: groupId, From_Account: fromAccount });
    const topics = [];
    const errors: ItemError[] = [];
    for (const t of res.TopicAndSelfInfo) {
      if (t.ErrorCode === 0 && t.TopicInfo) topics.push(t.TopicInfo);
      else errors.push({ code: t.ErrorCode, message: t.ErrorInfo });
    }
    return { topics, errors };
  });
}

async function groupScoped<T>(run: () => Promise<T>): Promise<GroupScoped<T>> {
  try {
    return { result: 'ok', ...(await run()) };
  } catch (err) {
    if (err instanceof TencentApiError && err.code === GROUP_GONE_CODE)
      return { result: 'gone', code: err.code, message: err.tencentMessage };
    throw err;
  }
}
