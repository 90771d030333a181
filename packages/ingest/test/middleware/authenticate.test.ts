import { expect } from 'chai';
import { REJECTIONS } from '@imsync/callbacks';
import { callbackQuery, loadSample, tencentSign } from '@imsync/testing';
import {
  OK,
  OPEN_APP,
  PATH,
  post,
  PREVIOUS_TOKEN,
  queryOf,
  SIGNED_APP,
  startHarness,
  TOKEN,
  type Harness,
} from '../support.js';

const sample = loadSample('Group.CallbackAfterNewMemberJoin');
const COMMAND = sample.command;

/** Answered with this rejection's status and Tencent-shaped FAIL body; nothing enqueued. */
async function expectRejected(
  h: Harness,
  res: { status: number; body: unknown; type: string },
  reason: keyof typeof REJECTIONS,
) {
  const r = REJECTIONS[reason];
  expect(res.status, JSON.stringify(res.body)).to.equal(r.status);
  expect(res.type).to.equal('application/json');
  expect(res.body).to.deep.include({ ActionStatus: 'FAIL', ErrorCode: r.code });
  expect(Object.keys(res.body as object).sort()).to.deep.equal(['ActionStatus', 'ErrorCode', 'ErrorInfo']);
  expect(await h.sync.count()).to.equal(0);
  expect(await h.unrouted.count()).to.equal(0);
}

describe('authentication: path, method, SdkAppid, Sign and RequestTime', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  describe('path and method', () => {
    beforeEach(async () => {
      h = await startHarness();
    });

    it('answers 404 for any other path, whatever the method', async () => {
      const q = sample.query.toString();
      for (const path of [
        '/',
        '/im',
        '/im/callback/extra',
        '/im/callback/',
        '/IM/CALLBACK',
        '/im//callback',
        '/metrics',
        '/healthz',
      ]) {
        await expectRejected(
          h,
          await h.request.post(`${path}?${q}`).type('json').send(JSON.stringify(sample.body)),
          'notFound',
        );
      }
      await expectRejected(h, await h.request.get('/admin/queues'), 'notFound');
    });

    it('answers 405 (Allow: POST) for GET, PUT and DELETE on the callback path', async () => {
      const q = sample.query.toString();
      for (const method of ['get', 'put', 'delete', 'patch'] as const) {
        const res = await h.request[method](`${PATH}?${q}`);
        await expectRejected(h, res, 'methodNotAllowed');
        expect(res.headers.allow).to.equal('POST');
      }
    });
  });

  describe('SdkAppid', () => {
    beforeEach(async () => {
      h = await startHarness();
    });

    it('answers 403 for a missing, unknown or garbage SdkAppid', async () => {
      for (const SdkAppid of [
        undefined,
        '',
        '999999',
        '1400000002',
        'abc',
        '888888abc',
        '-888888',
        '8888880',
        ' 888888',
        '1e6',
      ]) {
        const res = await post(h, queryOf(sample.query, { SdkAppid }), sample.body);
        await expectRejected(h, res, 'unknownApp');
        expect(res.body.ErrorInfo).to.equal('unknown SdkAppid');
      }
    });

    it('checks the app before reading the body: an unknown app with a malformed body is 403', async () => {
      await expectRejected(
        h,
        await post(h, queryOf(sample.query, { SdkAppid: '1' }), '{not json'),
        'unknownApp',
      );
    });
  });

  describe('Sign and RequestTime (an app with a token)', () => {
    const t = 1_712_345_678;
    let now = t * 1000;
    beforeEach(async () => {
      now = t * 1000;
      h = await startHarness({ now: () => now });
    });

    const signedQuery = (over: Record<string, string | undefined> = {}, token = TOKEN, time = t) =>
      queryOf(
        callbackQuery({
          sdkAppId: SIGNED_APP,
          command: COMMAND,
          token,
          requestTime: time,
          clientIp: '127.0.0.1',
        }),
        over,
      );

    it('accepts a request signed with the current token, and with upper-case hex', async () => {
      expect((await post(h, signedQuery(), sample.body)).body).to.deep.equal(OK);
      const upper = signedQuery({ Sign: tencentSign(TOKEN, String(t)).toUpperCase() });
      expect((await post(h, upper, { ...sample.body, EventTime: 1 })).body).to.deep.equal(OK);
      expect(await h.sync.count()).to.equal(2);
    });

    it('accepts the previous token while a token is rotated', async () => {
      const res = await post(h, signedQuery({}, PREVIOUS_TOKEN), sample.body);
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal(OK);
      expect(await h.sync.count()).to.equal(1);
    });

    it('answers 401 with a generic ErrorInfo for a missing, wrong or foreign Sign, and never echoes it', async () => {
      const wrong = tencentSign('not-the-token', String(t));
      const queries = [
        signedQuery({ Sign: undefined }),
        signedQuery({ RequestTime: undefined }),
        signedQuery({ Sign: undefined, RequestTime: undefined }),
        signedQuery({ Sign: wrong }),
        signedQuery({ Sign: tencentSign(TOKEN, String(t)).slice(0, 63) }),
        signedQuery({ Sign: '' }),
        signedQuery({ RequestTime: String(t + 1) }), // Sign no longer matches
        signedQuery({ RequestTime: `${t}.0` }),
        signedQuery({ RequestTime: 'soon' }),
      ];
      for (const q of queries) {
        const res = await post(h, q, sample.body);
        await expectRejected(h, res, 'unauthenticated');
        expect(res.body.ErrorInfo).to.equal('authentication failed');
        expect(res.text).not.to.contain(TOKEN);
        expect(res.text).not.to.contain(PREVIOUS_TOKEN);
        expect(res.text).not.to.contain(wrong);
        expect(res.text).not.to.contain(tencentSign(TOKEN, String(t)));
      }
    });

    it('accepts RequestTime 60 s either way of the current second, refuses it 61 s away', async () => {
      now = (t + 60) * 1000 + 999; // still second t + 60
      expect((await post(h, signedQuery(), sample.body)).status).to.equal(200);
      now = (t - 60) * 1000;
      expect((await post(h, signedQuery(), { ...sample.body, EventTime: 2 })).status).to.equal(200);
      expect(await h.sync.count()).to.equal(2);
      for (const late of [(t + 61) * 1000, (t - 60) * 1000 - 1, (t + 3600) * 1000, 0]) {
        now = late;
        await h.sync.obliterate({ force: true });
        const res = await post(h, signedQuery(), { ...sample.body, EventTime: 3 });
        await expectRejected(h, res, 'unauthenticated');
      }
    });

    it('checks the signature before reading the body: a bad Sign with a malformed or huge body is 401', async () => {
      await expectRejected(h, await post(h, signedQuery({ Sign: 'x' }), '{not json'), 'unauthenticated');
      await expectRejected(
        h,
        await post(h, signedQuery({ Sign: 'x' }), 'x'.repeat(2 * 1024 * 1024)),
        'unauthenticated',
      );
    });

    it('does not ask an app without a token for a Sign', async () => {
      const res = await post(h, queryOf(sample.query, { Sign: 'anything', RequestTime: '1' }), sample.body);
      expect(res.body).to.deep.equal(OK);
      expect(await h.sync.count()).to.equal(1);
      expect((await h.jobs('sync'))[0]!.data.sdkAppId).to.equal(OPEN_APP);
    });
  });

  describe('configured skew and the documented test vector', () => {
    it('uses SIGN_MAX_SKEW_SECONDS', async () => {
      let now = 1_712_345_678_000;
      h = await startHarness({ env: { SIGN_MAX_SKEW_SECONDS: '5' }, now: () => now });
      const q = callbackQuery({
        sdkAppId: SIGNED_APP,
        command: COMMAND,
        token: TOKEN,
        requestTime: 1_712_345_678,
      });
      now += 5000;
      expect((await post(h, q, sample.body)).status).to.equal(200);
      now += 1000;
      expect((await post(h, q, { ...sample.body, EventTime: 9 })).status).to.equal(401);
    });

    it("accepts the example of Tencent's callback authentication docs: token xxxxyyyy, RequestTime 1669872112", async () => {
      h = await startHarness({
        env: { IM_APPS: '1400000009:xxxxyyyy' },
        now: () => 1669872112 * 1000 + 30_000,
      });
      const q = queryOf(sample.query, {
        SdkAppid: '1400000009',
        Sign: '17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061',
        RequestTime: '1669872112',
      });
      const res = await post(h, q, sample.body);
      expect(res.body).to.deep.equal(OK);
      expect(await h.sync.count()).to.equal(1);
    });
  });
});
