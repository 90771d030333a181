import { expect } from 'chai';
import { populate } from '@imsync/testing';
import type { GroupMember } from '../src/index.js';
import { harness, type Harness } from './support.js';

describe('TencentApiClient against the fake Tencent: every endpoint', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('get_appid_group_list: pages a list longer than one page to the end, and resumes from a cursor', async () => {
    for (let i = 0; i < 25; i++)
      h.fake.state.addGroup({ Type: i % 2 ? 'Public' : 'Community', Owner_Account: 'own' });
    const pages = [];
    for await (const page of h.client.groupIdPages({ pageSize: 10 })) pages.push(page);
    expect(pages.map((p) => p.groupIds.length)).to.deep.equal([10, 10, 5]);
    expect(pages.every((p) => p.totalCount === 25)).to.equal(true);
    expect(pages[0]!.next).to.be.above(2 ** 32);
    expect(pages[2]!.next).to.equal(0);
    expect(new Set(pages.flatMap((p) => p.groupIds))).to.deep.equal(new Set(h.fake.state.groups.keys()));

    const resumed = [];
    for await (const page of h.client.groupIdPages({ pageSize: 10, next: pages[0]!.next }))
      resumed.push(...page.groupIds);
    expect(resumed).to.deep.equal([...pages[1]!.groupIds, ...pages[2]!.groupIds]);

    const communities = [];
    for await (const page of h.client.groupIdPages({ groupType: 'Community' }))
      communities.push(...page.groupIds);
    expect(communities).to.have.length(13);
  });

  it('get_group_info: profiles 50 per call, a gone group as a per-item result', async () => {
    const ids = [];
    for (let i = 0; i < 60; i++)
      ids.push(
        h.fake.state.addGroup({
          Type: 'Public',
          Owner_Account: `o${i}`,
          Name: `g${i}`,
          AppDefinedData: { Tier: 'gold' },
        }).GroupId,
      );
    h.fake.state.destroyGroup(ids[55]!);
    const results = await h.client.getGroupInfo([...ids, '@TGS#never'], {
      GroupBaseInfoFilter: ['Type', 'Name', 'Owner_Account', 'CreateTime', 'MemberNum'],
      AppDefinedDataFilter_Group: ['Tier'],
    });
    expect(h.fake.countCalls('get_group_info')).to.equal(2);
    expect(results.map((r) => r.groupId)).to.deep.equal([...ids, '@TGS#never']);
    const first = results[0]!;
    if (first.result !== 'ok') throw new Error('expected ok');
    expect(first.info).to.include({ Type: 'Public', Name: 'g0', Owner_Account: 'o0', MemberNum: 1 });
    expect(first.info.AppDefinedData).to.deep.equal([{ Key: 'Tier', Value: 'gold' }]);
    expect(results[55]).to.deep.include({ result: 'gone', code: 10010 });
    expect(results[60]).to.deep.include({ result: 'gone', code: 10010 });
  });

  it('get_group_member_info: Offset paging, and the whole list', async () => {
    const g = h.fake.state.addGroup({ Type: 'Private', Owner_Account: 'owner' });
    for (let i = 0; i < 249; i++) h.fake.state.addMember(g.GroupId, `m${i}`, { NameCard: `card${i}` });
    const sizes = [];
    for await (const page of h.client.groupMemberPages(g.GroupId, { community: false, pageSize: 100 }))
      sizes.push(page.members.length);
    expect(sizes).to.deep.equal([100, 100, 50]);
    const all = await h.client.getGroupMembers(g.GroupId, { community: false });
    if (all.result !== 'ok') throw new Error('expected ok');
    expect(all.complete).to.equal(true);
    expect(all.memberNum).to.equal(250);
    expect(new Set(all.members.map((m) => m.Member_Account))).to.deep.equal(new Set(g.members.keys()));
    expect(all.members.find((m) => m.Member_Account === 'm7')).to.include({
      NameCard: 'card7',
      Role: 'Member',
    });
  });

  it('get_group_member_info: Community string Next above 2^53, kept exact', async () => {
    const g = h.fake.state.addGroup({ Type: 'Community', Owner_Account: 'ann' });
    for (let i = 0; i < 30; i++) h.fake.state.addMember(g.GroupId, `c${i}`);
    const nexts: string[] = [];
    const members: GroupMember[] = [];
    for await (const page of h.client.groupMemberPages(g.GroupId, { community: true, pageSize: 7 }))
      members.push(...page.members);
    for (const call of h.fake.calls) nexts.push((call.body as { Next: string }).Next);
    expect(nexts[0]).to.equal('');
    expect(nexts).to.have.length(5);
    for (const n of nexts.slice(1)) expect(BigInt(n) > 2n ** 53n).to.equal(true);
    // the cursors the client sent back are exactly the fake's members' sequence numbers
    const seqs = [...g.members.values()].map((m) => String(m.seq));
    for (const n of nexts.slice(1)) expect(seqs).to.include(n);
    expect(members.map((m) => m.Member_Account)).to.deep.equal([...g.members.keys()]);
  });

  it('get_group_member_info: a gone group is a result; AVChatRoom fails with its code', async () => {
    expect(await h.client.getGroupMembers('@TGS#gone', { community: false })).to.deep.include({
      result: 'gone',
      code: 10010,
    });
    const av = h.fake.state.addGroup({ Type: 'AVChatRoom', Owner_Account: 'x' });
    const err = await h.client.getGroupMembers(av.GroupId, { community: false }).catch((e: unknown) => e);
    expect(err).to.include({ name: 'TencentApiError', code: 10007, endpoint: 'get_group_member_info' });
  });

  it('get_group_members: a list that changed while paged is read again, or reported incomplete', async () => {
    const g = h.fake.state.addGroup({ Type: 'Public', Owner_Account: 'owner' });
    for (let i = 0; i < 20; i++) h.fake.state.addMember(g.GroupId, `m${i}`);
    // a member leaves after the first page: the offsets shift and a plain pass misses m4
    let calls = 0;
    const once = await harness(
      {},
      { onCall: () => calls++ === 0 && h.fake.state.removeMember(g.GroupId, 'm1') },
    );
    once.fake.state.groups.set(g.GroupId, g);
    try {
      const whole = await once.client.getGroupMembers(g.GroupId, { community: false, pageSize: 5 });
      if (whole.result !== 'ok') throw new Error('expected ok');
      expect(whole.complete).to.equal(true);
      expect(whole.members.map((m) => m.Member_Account))
        .to.include('m4')
        .and.not.include('m1');
      expect(whole.members).to.have.length(20);
      expect(once.fake.countCalls('get_group_member_info')).to.equal(4 + 4);
    } finally {
      await once.close();
    }
    // a group that changes on every page is returned as incomplete after three reads
    let n = 0;
    const churn = await harness({}, { onCall: () => h.fake.state.addMember(g.GroupId, `new${n++}`) });
    churn.fake.state.groups.set(g.GroupId, g);
    try {
      const whole = await churn.client.getGroupMembers(g.GroupId, { community: false, pageSize: 5 });
      expect(whole.result === 'ok' && whole.complete).to.equal(false);
    } finally {
      await churn.close();
    }
  });

  it('get_group_attr and get_topic', async () => {
    const c = h.fake.state.addGroup({ Type: 'Community', Owner_Account: 'ann' });
    h.fake.state.setGroupAttr(c.GroupId, 'k1', 'v1');
    h.fake.state.addTopic(c.GroupId, 'news', { Introduction: 'intro' });
    h.fake.state.addTopic(c.GroupId, 'chat');
    expect(await h.client.getGroupAttr(c.GroupId)).to.deep.equal({
      result: 'ok',
      attrs: [{ key: 'k1', value: 'v1' }],
    });
    const topics = await h.client.getTopics(c.GroupId, 'ann');
    if (topics.result !== 'ok') throw new Error('expected ok');
    expect(topics.topics.map((t) => t.TopicId)).to.deep.equal([
      `${c.GroupId}@TOPIC#_news`,
      `${c.GroupId}@TOPIC#_chat`,
    ]);
    expect(topics.topics[0]).to.include({ TopicName: 'news', Introduction: 'intro', GroupID: c.GroupId });
    expect(await h.client.getGroupAttr('@TGS#gone')).to.deep.include({ result: 'gone' });
    expect(await h.client.getTopics('@TGS#gone', 'ann')).to.deep.include({ result: 'gone' });
  });

  it('query_online_status, portrait_get, account_check: split into batches, unknown accounts per item', async () => {
    populate(h.fake.state, { groups: 0, users: 620 });
    h.fake.state.setOnline('user3', 'Online', 'iPhone');
    const accounts = [...h.fake.state.users.keys(), 'nobody'];
    const online = await h.client.queryOnlineStatus(accounts, true);
    expect(h.fake.countCalls('query_online_status')).to.equal(2);
    expect(online).to.have.length(621);
    expect(online[3]).to.deep.include({ account: 'user3', result: 'ok' });
    expect(online[3]!.result === 'ok' && online[3]!.status).to.deep.include({
      Status: 'Online',
      Detail: [{ Platform: 'iPhone', Status: 'Online' }],
    });
    expect(online[620]).to.deep.include({ account: 'nobody', result: 'not_found', code: 70107 });

    const profiles = await h.client.portraitGet(accounts, ['Tag_Profile_IM_Nick']);
    expect(h.fake.countCalls('portrait_get')).to.equal(7);
    expect(profiles[5]).to.deep.equal({
      account: 'user5',
      result: 'ok',
      profile: [{ Tag: 'Tag_Profile_IM_Nick', Value: 'Nick user5' }],
    });
    expect(profiles[620]).to.deep.include({ account: 'nobody', result: 'not_found', code: 40003 });

    const checked = await h.client.accountCheck(['user1', 'nobody']);
    expect(checked).to.deep.equal([
      { account: 'user1', result: 'ok', imported: true, accountStatus: 'Imported' },
      { account: 'nobody', result: 'ok', imported: false, accountStatus: 'NotImported' },
    ]);
  });

  it('friend_get (several pages) and black_list_get; an unknown account is a result', async () => {
    await h.close();
    h = await harness({ friendPageSize: 3 });
    h.fake.state.addUser('wade');
    for (let i = 0; i < 8; i++)
      h.fake.state.addFriend('wade', `f${i}`, { Remark: `r${i}`, AddTime: 1764300000 + i });
    h.fake.state.block('wade', 'yuri', 1764300100);
    const friends = await h.client.getFriends('wade');
    if (friends.result !== 'ok') throw new Error('expected ok');
    expect(h.fake.countCalls('friend_get')).to.equal(3);
    expect(friends.friends.map((f) => f.To_Account)).to.deep.equal([
      'f0',
      'f1',
      'f2',
      'f3',
      'f4',
      'f5',
      'f6',
      'f7',
    ]);
    expect(friends.friends[2]!.ValueItem).to.deep.include({ Tag: 'Tag_SNS_IM_AddTime', Value: 1764300002 });
    expect(await h.client.getBlackList('wade')).to.deep.equal({
      account: 'wade',
      result: 'ok',
      entries: [{ To_Account: 'yuri', AddBlackTimeStamp: 1764300100 }],
    });
    expect(await h.client.getFriends('nobody')).to.deep.include({ result: 'not_found', code: 30003 });
    expect(await h.client.getBlackList('nobody')).to.deep.include({ result: 'not_found', code: 30003 });
  });

  it('keeps fields Tencent adds later, and counts calls by endpoint and result', async () => {
    const g = h.fake.state.addGroup({ Type: 'Public', Owner_Account: 'o', Name: 'n' });
    (g as unknown as Record<string, unknown>).ShinyNewField = 'kept';
    const [r] = await h.client.getGroupInfo([g.GroupId], { GroupBaseInfoFilter: ['Name', 'ShinyNewField'] });
    expect(r?.result === 'ok' && r.info).to.deep.include({ Name: 'n', ShinyNewField: 'kept' });
    expect(h.client.stats()).to.deep.equal({ calls: { get_group_info: { ok: 1 } }, retries: 0 });
    expect(h.events).to.have.length(1);
    expect(h.events[0]).to.include({
      endpoint: 'get_group_info',
      result: 'ok',
      code: 0,
      attempt: 1,
      willRetry: false,
    });
  });
});
