import { ConfigError } from '@imsync/service-kit';
import { clientOptionsFor, parseTencentApiEnv, TencentApiClient } from '@imsync/tencent-api';
import type { MemberItem, TopicItem } from './snapshot.js';
import type { GroupAnswer, TencentSource } from './source.js';

/** The REST client of `@imsync/tencent-api` adapted to the sweep's port. */

type KeyValues = readonly { readonly Key: string; readonly Value: string }[] | undefined;

const orNull = (s: string | undefined): string | null => s ?? null;
const kv = (list: KeyValues): Record<string, string> =>
  Object.fromEntries((list ?? []).map((d) => [d.Key, d.Value]));

/** Adapts a client to the port. */
export function adaptClient(c: TencentApiClient): TencentSource & { close(): void } {
  return {
    async groupIdPage(next) {
      const page = await c.groupIdPages({ next }).next();
      return page.done ? { groupIds: [], next: 0 } : { groupIds: page.value.groupIds, next: page.value.next };
    },
    async groupProfiles(ids) {
      return (await c.getGroupInfo(ids)).map((a): GroupAnswer => {
        if (a.result !== 'ok')
          return a.result === 'gone'
            ? { groupId: a.groupId, result: 'gone' }
            : { groupId: a.groupId, result: 'error', code: a.code, message: a.message };
        const i = a.info;
        return {
          groupId: a.groupId,
          result: 'ok',
          profile: {
            type: orNull(i.Type),
            name: orNull(i.Name),
            introduction: orNull(i.Introduction),
            notification: orNull(i.Notification),
            faceUrl: orNull(i.FaceUrl),
            owner: orNull(i.Owner_Account),
            createTime: i.CreateTime ?? null,
            customData: kv(i.AppDefinedData),
          },
        };
      });
    },
    async groupMembers(groupId, type) {
      const a = await c.getGroupMembers(groupId, { community: type === 'Community' });
      if (a.result !== 'ok') return { result: 'gone' };
      const members: MemberItem[] = a.members.map((m) => ({
        account: m.Member_Account,
        role: orNull(m.Role),
        nameCard: orNull(m.NameCard),
        joinTime: m.JoinTime ?? null,
      }));
      return { result: 'ok', members, complete: a.complete };
    },
    async groupAttributes(groupId) {
      const a = await c.getGroupAttr(groupId);
      if (a.result !== 'ok') return { result: 'gone' };
      return { result: 'ok', attributes: Object.fromEntries(a.attrs.map((x) => [x.key, x.value])) };
    },
    async topics(groupId, from) {
      const a = await c.getTopics(groupId, from);
      if (a.result !== 'ok') return { result: 'gone' };
      const topics: TopicItem[] = a.topics.map((t) => ({
        topicId: t.TopicId,
        name: orNull(t.TopicName),
        introduction: orNull(t.Introduction),
        notification: orNull(t.Notification),
        faceUrl: orNull(t.FaceUrl),
        // not in get_topic's documented fields: read when Tencent sends it (unknown fields are kept)
        owner: orNull((t as { Owner_Account?: string }).Owner_Account),
        createTime: t.CreateTime ?? null,
      }));
      return { result: 'ok', topics };
    },
    async profiles(accounts, tags) {
      return (await c.portraitGet(accounts, tags)).map((a) =>
        a.result === 'ok'
          ? {
              account: a.account,
              result: 'ok' as const,
              tags: Object.fromEntries(a.profile.map((p) => [p.Tag, p.Value as string | number])),
            }
          : a.result === 'not_found'
            ? { account: a.account, result: 'not_found' as const }
            : { account: a.account, result: 'error' as const, code: a.code, message: a.message },
      );
    },
    async onlineStatus(accounts) {
      return (await c.queryOnlineStatus(accounts)).map((a) =>
        a.result === 'ok'
          ? { account: a.account, result: 'ok' as const, status: a.status.Status }
          : a.result === 'not_found'
            ? { account: a.account, result: 'not_found' as const }
            : { account: a.account, result: 'error' as const, code: a.code, message: a.message },
      );
    },
    async friends(account) {
      const a = await c.getFriends(account);
      if (a.result === 'ok') return { account, result: 'ok', accounts: a.friends.map((f) => f.To_Account) };
      return a.result === 'not_found'
        ? { account, result: 'not_found' }
        : { account, result: 'error', code: a.code, message: a.message };
    },
    async blocklist(account) {
      const a = await c.getBlackList(account);
      if (a.result === 'ok') return { account, result: 'ok', accounts: a.entries.map((f) => f.To_Account) };
      return a.result === 'not_found'
        ? { account, result: 'not_found' }
        : { account, result: 'error', code: a.code, message: a.message };
    },
    stats() {
      const s = c.stats();
      let calls = 0;
      for (const byResult of Object.values(s.calls))
        for (const n of Object.values(byResult ?? {})) calls += n;
      const byEndpoint = Object.fromEntries(
        Object.entries(s.calls).map(([endpoint, byResult]) => [endpoint, { ...byResult }]),
      );
      return { calls, retries: s.retries, byEndpoint };
    },
    close: () => c.close(),
  };
}

/** The REST client of one app from the environment (IM_SECRET_KEY / IM_SECRET_KEYS, IM_API_BASE_URL …). */
export async function createTencentSource(
  sdkAppId: number,
  env: NodeJS.ProcessEnv,
): Promise<TencentSource & { close(): void }> {
  const settings = parseTencentApiEnv(env);
  if (!settings.keys.has(sdkAppId))
    throw new ConfigError(
      `no secret key for SDKAppID ${sdkAppId}: set IM_SECRET_KEY (with IM_SDKAPPID=${sdkAppId}) or IM_SECRET_KEYS=${sdkAppId}:<key>`,
    );
  return adaptClient(new TencentApiClient(clientOptionsFor(settings, sdkAppId)));
}
