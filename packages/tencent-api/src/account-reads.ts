/**
 * The account reads behind `TencentApiClient`'s methods (documented there): they split accounts into
 * Tencent's batches or page through one user's list, and answer an unknown account (70107, 40003, 30003) as
 * `result: 'not_found'`. Every call goes through the client's `Caller`.
 */
import { ENDPOINTS } from './endpoints.js';
import { NO_SUCH_ACCOUNT_CODES, TencentApiError } from './errors.js';
import { chunks, cursorStuck, MISSING_ITEM } from './paging.js';
import type { Caller } from './caller.js';
import type { FriendItem } from './endpoints/friend-get.js';
import type { BlackListItem } from './endpoints/black-list-get.js';
import type {
  AccountCheckResult,
  AccountScoped,
  BlackListResult,
  FriendsResult,
  OnlineStatusItem,
  ProfileResult,
} from './types.js';

export async function queryOnlineStatus(
  caller: Caller,
  accounts: readonly string[],
  detail: boolean,
): Promise<OnlineStatusItem[]> {
  const out: OnlineStatusItem[] = [];
  for (const chunk of chunks(accounts, ENDPOINTS.query_online_status.batch)) {
    const res = await caller.call('query_online_status', {
      To_Account: chunk,
      ...(detail ? { IsNeedDetail: 1 as const } : {}),
    });
    const ok = new Map(res.QueryResult.map((r) => [r.To_Account, r]));
    const failed = new Map(res.ErrorList.map((r) => [r.To_Account, r.ErrorCode]));
    for (const account of chunk) {
      const status = ok.get(account);
      const code = failed.get(account);
      if (status) out.push({ account, result: 'ok', status });
      else if (code !== undefined) out.push(accountError(account, code, ''));
      else out.push({ account, result: 'error', ...MISSING_ITEM });
    }
  }
  return out;
}

export async function portraitGet(
  caller: Caller,
  accounts: readonly string[],
  tags: readonly string[],
): Promise<ProfileResult[]> {
  const out: ProfileResult[] = [];
  for (const chunk of chunks(accounts, ENDPOINTS.portrait_get.batch)) {
    const res = await caller.call('portrait_get', { To_Account: chunk, TagList: [...tags] });
    const items = new Map(res.UserProfileItem.map((u) => [u.To_Account, u]));
    const failed = new Set(res.Fail_Account ?? []);
    for (const account of chunk) {
      const item = items.get(account);
      if (item && item.ResultCode === 0) out.push({ account, result: 'ok', profile: item.ProfileItem });
      else if (item) out.push(accountError(account, item.ResultCode, item.ResultInfo));
      else if (failed.has(account)) out.push(accountError(account, 40003, 'listed in Fail_Account'));
      else out.push({ account, result: 'error', ...MISSING_ITEM });
    }
  }
  return out;
}

export async function accountCheck(
  caller: Caller,
  accounts: readonly string[],
): Promise<AccountCheckResult[]> {
  const out: AccountCheckResult[] = [];
  for (const chunk of chunks(accounts, ENDPOINTS.account_check.batch)) {
    const res = await caller.call('account_check', { CheckItem: chunk.map((UserID) => ({ UserID })) });
    const items = new Map(res.ResultItem.map((r) => [r.UserID, r]));
    for (const account of chunk) {
      const item = items.get(account);
      if (!item) out.push({ account, result: 'error', ...MISSING_ITEM });
      else if (item.ResultCode !== 0) out.push(accountError(account, item.ResultCode, item.ResultInfo));
      else {
        const accountStatus = item.AccountStatus ?? '';
        out.push({ account, result: 'ok', imported: accountStatus === 'Imported', accountStatus });
      }
    }
  }
  return out;
}

export function getFriends(caller: Caller, account: string): Promise<FriendsResult> {
  return accountScoped(account, async () => {
    const friends: FriendItem[] = [];
    for (let start = 0; ;) {
      const res = await caller.call('friend_get', {
        From_Account: account,
        StartIndex: start,
        StandardSequence: 0,
      });
      friends.push(...res.UserDataItem);
      if (res.CompleteFlag !== 0 || res.NextStartIndex === 0) return { friends };
      if (res.NextStartIndex === start) throw cursorStuck('friend_get', String(start));
      start = res.NextStartIndex;
    }
  });
}

export function getBlackList(caller: Caller, account: string): Promise<BlackListResult> {
  return accountScoped(account, async () => {
    const entries: BlackListItem[] = [];
    for (let start = 0; ;) {
      const res = await caller.call('black_list_get', {
        From_Account: account,
        StartIndex: start,
        MaxLimited: ENDPOINTS.black_list_get.batch,
        LastSequence: 0,
      });
      entries.push(...res.BlackListItem);
      if (res.StartIndex === 0) return { entries };
      if (res.StartIndex === start) throw cursorStuck('black_list_get', String(start));
      start = res.StartIndex;
    }
  });
}

function accountError(account: string, code: number, message: string): AccountScoped<never> {
  return { account, result: NO_SUCH_ACCOUNT_CODES.has(code) ? 'not_found' : 'error', code, message };
}

async function accountScoped<T>(account: string, run: () => Promise<T>): Promise<AccountScoped<T>> {
  try {
    return { account, result: 'ok', ...(await run()) };
  } catch (err) {
    if (err instanceof TencentApiError && err.code !== null && NO_SUCH_ACCOUNT_CODES.has(err.code))
      return accountError(account, err.code, err.tencentMessage);
    throw err;
  }
}
