import { expect } from 'chai';
import http from 'node:http';
import { FakeTencent } from '@imsync/testing';
import { genUserSig } from '../src/index.js';
import { KEY, SDKAPPID } from './support.js';

/** One raw POST to the fake, without the client: its checks are its own. */
function post(url: string, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString()) }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the fake Tencent checks requests as Tencent does', () => {
  let fake: FakeTencent;
  const time = () => Math.floor(Date.now() / 1000);
  const sig = (over: Partial<Parameters<typeof genUserSig>[0]> = {}) =>
    genUserSig({ sdkAppId: SDKAPPID, key: KEY, identifier: 'administrator', expireSeconds: 3600, ...over });
  const url = (q: Record<string, string>, path = 'im_open_login_svc/account_check') =>
    `${fake.url}/v4/${path}?${new URLSearchParams({ sdkappid: String(SDKAPPID), identifier: 'administrator', random: '99999999', contenttype: 'json', usersig: sig(), ...q })}`;
  const code = async (u: string, body = '{"CheckItem":[{"UserID":"a"}]}') =>
    (await post(u, body)).json.ErrorCode;

  beforeEach(async () => {
    fake = await FakeTencent.start({ sdkAppId: SDKAPPID, secretKey: KEY });
  });
  afterEach(() => fake.close());

  it('accepts a good request', async () => {
    expect(await code(url({}))).to.equal(0);
  });

  it('refuses a UserSig in RFC 4648 base64url (not Tencent’s variant), or signed with another key', async () => {
    const rfc = sig().replace(/\*/g, '+').replace(/-/g, '/').replace(/_/g, '=');
    const rfcUrl = Buffer.from(rfc, 'base64').toString('base64url');
    expect(await code(url({ usersig: rfcUrl }))).to.equal(70003);
    expect(await code(url({ usersig: sig({ key: 'another' }) }))).to.equal(70003);
  });

  it('answers 70001 for an expired UserSig, 70013 for another identifier, 60010 for a non-admin, 70020 for another app', async () => {
    expect(await code(url({ usersig: sig({ time: time() - 7200 }) }))).to.equal(70001);
    expect(await code(url({ identifier: 'bob' }))).to.equal(70013);
    expect(await code(url({ identifier: 'bob', usersig: sig({ identifier: 'bob' }) }))).to.equal(60010);
    expect(await code(url({ sdkappid: '1400000001' }))).to.equal(70020);
    expect(await code(url({ usersig: '' }))).to.equal(70002);
  });

  it('answers 60003 for a body that is not JSON, 60009 for an unknown API, 10004 for bad parameters', async () => {
    expect(await code(url({}), 'not json')).to.equal(60003);
    expect(await code(url({}, 'nosuch/api'), '{}')).to.equal(60009);
    expect(await code(url({}, 'group_open_http_svc/get_group_info'), '{"GroupIdList":[]}')).to.equal(10004);
    expect(await code(url({}, 'group_open_http_svc/get_appid_group_list'), '{"Limit":10001}')).to.equal(
      10004,
    );
  });

  it('answers 60018 above its per-second limit', async () => {
    fake.setRateLimit({ account_check: 2 });
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push(await code(url({})));
    expect(codes.filter((c) => c === 60018).length).to.be.at.least(1);
  });
});
