import { expect } from 'chai';
import { inspect } from 'node:util';
import { populate } from '@imsync/testing';
import { TencentApiError } from '../src/index.js';
import { harness, KEY, type Harness } from './support.js';

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err as TencentApiError,
  );

describe('TencentApiClient against the fake Tencent: errors by class', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('a rate-limit storm: every endpoint cools down, retries, and the work still finishes', async () => {
    h = await harness();
    populate(h.fake.state, { groups: 20, users: 50 });
    h.fake.rateLimitStorm(40);
    const ids = [...h.fake.state.groups.keys()];
    const results = await Promise.all(ids.map((id) => h!.client.getGroupAttr(id)));
    expect(results.every((r) => r.result === 'ok')).to.equal(true);
    expect(h.fake.countCalls('get_group_attr', 60018)).to.equal(40);
    expect(h.client.stats().calls.get_group_attr).to.deep.equal({ rate_limited: 40, ok: 20 });
    expect(h.client.stats().retries).to.equal(40);
    expect(
      h.events.filter((e) => e.result === 'rate_limited').every((e) => e.willRetry && e.code === 60018),
    ).to.equal(true);
  });

  it("a caller over the fake's per-second limit gets 60018 and slows down until it finishes", async () => {
    h = await harness(
      { rateLimit: { portrait_get: 10 } },
      { maxRps: 200, backoffBaseMs: 50, backoffMaxMs: 400 },
    );
    populate(h.fake.state, { groups: 0, users: 3000 });
    const accounts = [...h.fake.state.users.keys()];
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        h!.client.portraitGet(accounts.slice(i * 100, i * 100 + 100), ['Tag_Profile_IM_Nick']),
      ),
    );
    expect(results.flat().filter((r) => r.result === 'ok')).to.have.length(3000);
    expect(h.fake.countCalls('portrait_get', 60018)).to.be.above(0);
    expect(h.fake.countCalls('portrait_get', 0)).to.equal(30);
  });

  it('other rate-limit codes (60007, 60011, 60019, 10006) are retried too', async () => {
    h = await harness();
    h.fake.injectFaults({ code: 60007 }, { code: 60011 }, { code: 60019 }, { code: 10006 });
    expect(await h.client.getGroupAttr('@TGS#gone')).to.deep.include({ result: 'gone' });
    expect(h.client.stats().calls.get_group_attr).to.deep.equal({ rate_limited: 4, error: 1 });
  });

  it('an expired UserSig is renewed and the call retried once', async () => {
    let clock = Date.now() - 3600_000;
    h = await harness({}, { now: () => clock });
    h.fake.state.addUser('zoe');
    expect(await h.client.accountCheck(['zoe'])).to.have.length(1);
    h.fake.expireSignatures();
    clock = Date.now();
    const [r] = await h.client.accountCheck(['zoe']);
    expect(r).to.deep.include({ result: 'ok', imported: true });
    expect(h.client.stats().calls.account_check).to.deep.equal({ ok: 2, usersig_expired: 1 });
    expect(h.fake.signatureTimes.size).to.equal(2);
  });

  it('a UserSig renewed within the same second is still a new one', async () => {
    const frozen = Date.now();
    h = await harness({}, { now: () => frozen });
    await h.client.accountCheck(['a']);
    h.fake.expireSignatures();
    expect(await h.client.accountCheck(['a'])).to.deep.include.members([
      { account: 'a', result: 'ok', imported: false, accountStatus: 'NotImported' },
    ]);
    expect(h.client.stats().calls.account_check).to.deep.equal({ ok: 2, usersig_expired: 1 });
    expect(h.fake.signatureTimes).to.deep.equal(new Set([Math.floor(frozen / 1000)]));
  });

  it('an expired UserSig after renewal fails with a clear error, not a loop', async () => {
    h = await harness();
    h.fake.injectFaults({ code: 70001, info: 'UserSig expired' }, { code: 70001, info: 'UserSig expired' });
    const err = await failure(h.client.accountCheck(['zoe']));
    expect(err).to.be.instanceOf(TencentApiError);
    expect(err).to.include({ code: 70001, endpoint: 'account_check', errorClass: 'usersig_expired' });
    expect(err.message).to.match(/clock/);
    expect(h.fake.countCalls('account_check')).to.equal(2);
  });

  it('renews the UserSig before it expires', async () => {
    let clock = Date.now();
    h = await harness({}, { now: () => clock, userSigTtlSeconds: 1000 });
    await h.client.accountCheck(['a']);
    clock += 850_000;
    await h.client.accountCheck(['a']);
    expect(h.fake.signatureTimes.size).to.equal(1);
    clock += 100_000;
    await h.client.accountCheck(['a']);
    expect(h.fake.signatureTimes.size).to.equal(2);
    expect(h.client.stats().calls.account_check).to.deep.equal({ ok: 3 });
  });

  it('a wrong secret key: a clear error naming the setting, without the key', async () => {
    h = await harness({ secretKey: 'the-key-tencent-has' }, { secretKeySetting: 'IM_SECRET_KEYS' });
    const err = await failure(h.client.getGroupInfo(['@TGS#1']));
    expect(err.message).to.equal(
      'get_group_info: IM_SECRET_KEYS: the secret key of SDKAppID 1400000000 was rejected by Tencent (70003 UserSig check failed)',
    );
    expect(err).to.include({ code: 70003, errorClass: 'auth' });
    expect(h.fake.countCalls()).to.equal(1);
    for (const shown of [err.message, JSON.stringify(err), inspect(err), err.stack ?? '']) {
      expect(shown).not.to.include(KEY);
      expect(shown).not.to.include('usersig');
    }
  });

  it('an identifier that is not an App admin names IM_ADMIN_ACCOUNT', async () => {
    h = await harness({}, { adminAccount: 'bob' });
    const err = await failure(h.client.getGroupAttr('@TGS#1'));
    expect(err.message).to.match(/IM_ADMIN_ACCOUNT "bob" was rejected by Tencent.*60010/);
  });

  it('HTTP 5xx, network-level failures and transient codes are retried with backoff', async () => {
    h = await harness();
    h.fake.state.addGroup({ GroupId: '@TGS#g', Type: 'Public', Owner_Account: 'o' });
    h.fake.injectFaults({ httpStatus: 502 }, { httpStatus: 503 }, { code: 10002 }, { code: 70500 });
    expect(await h.client.getGroupAttr('@TGS#g')).to.deep.equal({ result: 'ok', attrs: [] });
    expect(h.client.stats().calls.get_group_attr).to.deep.equal({ http_error: 2, transient: 2, ok: 1 });
    expect(h.events.map((e) => e.willRetry)).to.deep.equal([true, true, true, true, false]);
  });

  it('gives up on a transient fault after maxRetries', async () => {
    h = await harness({}, { maxRetries: 2 });
    h.fake.injectFaults({ httpStatus: 500 }, { httpStatus: 500 }, { httpStatus: 500 }, { httpStatus: 500 });
    const err = await failure(h.client.getGroupAttr('@TGS#g'));
    expect(err).to.include({
      code: null,
      httpStatus: 500,
      endpoint: 'get_group_attr',
      errorClass: 'transient',
    });
    expect(err.message).to.equal('get_group_attr: Tencent answered HTTP 500 after 3 attempts');
  });

  it('a connection refused is a network error, retried then reported', async () => {
    h = await harness({}, { maxRetries: 1 });
    await h.fake.close();
    const err = await failure(h.client.getGroupAttr('@TGS#g'));
    expect(err).to.include({ code: null, errorClass: 'transient' });
    expect(err.message).to.match(/ECONNREFUSED/);
    expect(h.client.stats().calls.get_group_attr).to.deep.equal({ network_error: 2 });
  });

  it('a code that is not retryable fails at once with its code, endpoint and message', async () => {
    h = await harness();
    h.fake.injectFaults({ code: 10004, info: 'parameter is invalid' });
    const err = await failure(h.client.getGroupAttr('@TGS#g'));
    expect(err).to.include({
      code: 10004,
      endpoint: 'get_group_attr',
      tencentMessage: 'parameter is invalid',
      errorClass: 'fatal',
    });
    expect(err.message).to.equal('get_group_attr: Tencent answered 10004 parameter is invalid');
    expect(h.fake.countCalls()).to.equal(1);
    expect(JSON.parse(JSON.stringify(err))).to.include({ code: 10004, endpoint: 'get_group_attr' });
  });

  it('an answer that does not match the documented shape is a clear error', async () => {
    h = await harness();
    h.fake.state.addUser('zoe', { Tag_Profile_IM_Nick: { nested: true } as unknown as string });
    const err = await failure(h.client.portraitGet(['zoe'], ['Tag_Profile_IM_Nick']));
    expect(err.message).to.match(/^portrait_get: the answer does not match the documented shape: .*Value/);
  });

  it('signs as the configured admin account', async () => {
    h = await harness({ admins: ['ops'] }, { adminAccount: 'ops' });
    expect(await h.client.accountCheck(['a'])).to.have.length(1);
    expect(h.fake.countCalls('account_check', 0)).to.equal(1);
  });
});
