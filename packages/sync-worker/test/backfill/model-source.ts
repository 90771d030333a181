import type { TencentSource } from '../../src/backfill/source.js';
import type { StoreModel } from '../model/model.js';
import { tencentSnapshot } from '../model/snapshots.js';

/**
 * A TencentSource answering from a model of Tencent's state (the reference model of a callback history),
 * paging group ids two at a time. `failAfter` calls, it throws (a Tencent outage) until `heal()`.
 */
export class ModelSource implements TencentSource {
  calls = 0;
  failAfter = Infinity;
  constructor(
    readonly tencent: StoreModel,
    readonly app: number,
  ) {}

  heal(): void {
    this.failAfter = Infinity;
  }

  private call(): void {
    if (this.calls >= this.failAfter) throw new Error('Tencent is unreachable');
    this.calls++;
  }

  private snap(kind: Parameters<typeof tencentSnapshot>[1]['kind'], id: string) {
    return tencentSnapshot(this.tencent, { kind, app: this.app, id, time: 0 }, 0n);
  }

  private liveGroups(): string[] {
    return this.tencent.groups
      .entries()
      .filter(({ key, value }) => key[0] === this.app && value.destroyed_at === null)
      .map(({ key }) => String(key[1]))
      .sort();
  }

  async groupIdPage(next: number) {
    this.call();
    const ids = this.liveGroups();
    const page = ids.slice(next, next + 2);
    return { groupIds: page, next: next + 2 < ids.length ? next + 2 : 0 };
  }

  async groupProfiles(groupIds: readonly string[]) {
    this.call();
    return groupIds.map((groupId) => {
      const s = this.snap('group', groupId);
      return s?.kind === 'group' && s.profile
        ? { groupId, result: 'ok' as const, profile: s.profile }
        : { groupId, result: 'gone' as const };
    });
  }

  async groupMembers(groupId: string) {
    this.call();
    const s = this.snap('members', groupId);
    return s?.kind === 'members'
      ? { result: 'ok' as const, members: s.members, complete: true }
      : { result: 'gone' as const };
  }

  async groupAttributes(groupId: string) {
    this.call();
    const s = this.snap('attributes', groupId);
    return s?.kind === 'attributes'
      ? { result: 'ok' as const, attributes: s.attributes }
      : { result: 'gone' as const };
  }

  async topics(groupId: string) {
    this.call();
    const s = this.snap('topics', groupId);
    return s?.kind === 'topics' ? { result: 'ok' as const, topics: s.topics } : { result: 'gone' as const };
  }

  async profiles(accounts: readonly string[]) {
    this.call();
    return accounts.map((account) => {
      const s = this.snap('profile', account);
      return { account, result: 'ok' as const, tags: s?.kind === 'profile' ? s.tags : {} };
    });
  }

  async onlineStatus(accounts: readonly string[]) {
    this.call();
    return accounts.map((account) => {
      const s = this.snap('online', account);
      return { account, result: 'ok' as const, status: s?.kind === 'online' ? s.status : 'Offline' };
    });
  }

  async friends(account: string) {
    this.call();
    const s = this.snap('friends', account);
    return { account, result: 'ok' as const, accounts: s?.kind === 'friends' ? s.accounts : [] };
  }

  async blocklist(account: string) {
    this.call();
    const s = this.snap('blocklist', account);
    return { account, result: 'ok' as const, accounts: s?.kind === 'blocklist' ? s.accounts : [] };
  }

  stats() {
    return { calls: this.calls, retries: 0 };
  }
}
