import { expect } from 'chai';
import { REJECTIONS, type RejectionReason } from '@imsync/callbacks';
import { callbackQuery, loadSample } from '@imsync/testing';
import { pino } from 'pino';
import supertest from 'supertest';
import { createApp } from '../../src/app.js';
import type { Enqueuer } from '../../src/enqueuer.js';
import { IngestMetrics } from '../../src/metrics.js';
import {
  OPEN_APP,
  post,
  queryOf,
  SIGNED_APP,
  startHarness,
  testConfig,
  TOKEN,
  type Harness,
} from '../support.js';

const sample = loadSample('Group.CallbackAfterCreateGroup');
const q = sample.query.toString();

async function expectRejected(h: Harness, res: supertest.Response, reason: RejectionReason): Promise<string> {
  const r = REJECTIONS[reason];
  expect(res.status, res.text).to.equal(r.status);
  expect(res.type).to.equal('application/json');
  expect(res.body).to.have.all.keys('ActionStatus', 'ErrorInfo', 'ErrorCode');
  expect(res.body).to.deep.include({ ActionStatus: 'FAIL', ErrorCode: r.code });
  expect(await h.sync.count()).to.equal(0);
  expect(await h.unrouted.count()).to.equal(0);
  return res.body.ErrorInfo as string;
}

describe('the envelope: every refusal answers its status and ErrorCode and enqueues nothing', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ env: { BODY_LIMIT_BYTES: '4096' } });
  });
  afterEach(async () => h.close());

  it('413 for a body over BODY_LIMIT_BYTES; a body at the limit passes', async () => {
    const big = JSON.stringify({ ...sample.body, Pad: 'x'.repeat(5000) });
    await expectRejected(h, await post(h, q, big), 'tooLarge');
    await expectRejected(h, await post(h, q, big, 'text/plain'), 'tooLarge');
    const raw = JSON.stringify({ ...sample.body, Pad: '' });
    const exact = JSON.stringify({ ...sample.body, Pad: 'x'.repeat(4096 - Buffer.byteLength(raw)) });
    expect(Buffer.byteLength(exact)).to.equal(4096);
    expect((await post(h, q, exact)).status).to.equal(200);
  });

  it('400 malformedJson for a body that is not JSON, not an object/array, or empty', async () => {
    for (const body of [
      '{"GroupId": "x",',
      'GroupId=x',
      '"just a string"',
      '42',
      'null',
      '',
      '   ',
      '{"__proto__": {"x": 1}}',
    ]) {
      const info = await expectRejected(h, await post(h, q, body), 'malformedJson');
      expect(info).to.match(/^body is not valid JSON/);
    }
  });

  it('400 missingCommand without CallbackCommand in the query, even when the body has one', async () => {
    for (const CallbackCommand of [undefined, '', '  ']) {
      await expectRejected(
        h,
        await post(h, queryOf(sample.query, { CallbackCommand }), sample.body),
        'missingCommand',
      );
    }
  });

  it('400 commandMismatch when the body’s CallbackCommand differs from the query’s', async () => {
    for (const other of ['Group.CallbackAfterGroupDestroyed', 'group.callbackaftercreategroup', 42, null]) {
      const info = await expectRejected(
        h,
        await post(h, q, { ...sample.body, CallbackCommand: other }),
        'commandMismatch',
      );
      expect(info).to.contain('Group.CallbackAfterCreateGroup');
    }
    // also for a command that is not synced
    const recall = callbackQuery({ sdkAppId: OPEN_APP, command: 'Group.CallbackAfterRecallMsg' });
    await expectRejected(
      h,
      await post(h, recall, { CallbackCommand: 'Group.CallbackAfterSendMsg' }),
      'commandMismatch',
    );
  });

  it('400 invalidBody listing every failing field of a synced command', async () => {
    const body = {
      CallbackCommand: 'Group.CallbackAfterCreateGroup',
      EventTime: 'yesterday',
      MemberList: [{}],
      UserDefinedDataList: [{}],
    };
    const info = await expectRejected(h, await post(h, q, body), 'invalidBody');
    for (const field of [
      'GroupId',
      'Type',
      'Operator_Account',
      'EventTime',
      'MemberList[0].Member_Account',
      'UserDefinedDataList[0].Key',
    ]) {
      expect(info).to.contain(field);
    }
    expect(info).to.match(/^invalid body: /);
  });

  it('400 invalidBody for a NUL character (\\u0000 in the JSON), which the stores could not hold', async () => {
    const raw = JSON.stringify({ ...sample.body, Name: 'My\u0000Group' });
    expect(raw).to.contain('\\u0000');
    const info = await expectRejected(h, await post(h, q, raw), 'invalidBody');
    expect(info).to.contain('Name must not contain a NUL character');
  });

  it('400 invalidBody (not 500) for an array or object where a string is expected', async () => {
    const body = { ...sample.body, GroupId: ['@TGS#1'], Operator_Account: { id: 'x' } };
    const info = await expectRejected(h, await post(h, q, body), 'invalidBody');
    expect(info).to.contain('GroupId must be a `string` type').and.to.contain('Operator_Account');
  });

  it('400 invalidBody for a synced command whose body is a JSON array', async () => {
    await expectRejected(h, await post(h, q, [sample.body]), 'invalidBody');
  });

  it('answers a refusal with keep-alive JSON, never with Koa’s text or HTML', async () => {
    const res = await post(h, q, '{');
    expect(res.headers['content-type']).to.match(/^application\/json/);
    expect(() => JSON.parse(res.text) as unknown).not.to.throw();
  });
});

describe('logging: one line per refused request, never the token or the Sign', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('logs reason, SdkAppid, command and ClientIP once for a bad Sign', async () => {
    h = await startHarness();
    const query = callbackQuery({
      sdkAppId: SIGNED_APP,
      command: 'Sns.CallbackFriendAdd',
      token: 'not-the-token',
      clientIp: '198.51.100.7',
    });
    const sign = new URLSearchParams(query).get('Sign')!;
    expect((await post(h, query, loadSample('Sns.CallbackFriendAdd').body)).status).to.equal(401);
    const lines = h.logs();
    expect(lines).to.have.length(1);
    expect(lines[0]).to.deep.include({
      reason: 'unauthenticated',
      sdkAppId: String(SIGNED_APP),
      command: 'Sns.CallbackFriendAdd',
      clientIp: '198.51.100.7',
      status: 401,
      detail: 'Sign mismatch',
    });
    expect(lines[0]!.level).to.equal(40);
    const text = h.logText();
    for (const secret of [TOKEN, sign, 'not-the-token']) expect(text).not.to.contain(secret);
  });

  it('logs why a stale RequestTime or an unknown app was refused, one line each', async () => {
    const now = Date.now();
    h = await startHarness({ now: () => now });
    const stale = callbackQuery({
      sdkAppId: SIGNED_APP,
      command: 'State.StateChange',
      token: TOKEN,
      requestTime: Math.floor(now / 1000) - 61,
    });
    await post(h, stale, loadSample('State.StateChange').body);
    await post(h, callbackQuery({ sdkAppId: 4242, command: 'State.StateChange', clientIp: '192.0.2.1' }), {});
    await post(h, queryOf(sample.query), { ...sample.body, GroupId: '' });
    const lines = h.logs();
    expect(lines.map((l) => [l.reason, l.sdkAppId, l.command, l.status])).to.deep.equal([
      ['unauthenticated', String(SIGNED_APP), 'State.StateChange', 401],
      ['unknownApp', '4242', 'State.StateChange', 403],
      ['invalidBody', String(OPEN_APP), 'Group.CallbackAfterCreateGroup', 400],
    ]);
    expect(lines[0]!.detail).to.equal('stale RequestTime');
    expect(lines[1]!.clientIp).to.equal('192.0.2.1');
    expect(lines[2]!.detail).to.contain('GroupId');
    expect(h.logText()).not.to.contain(TOKEN);
    expect(h.logText()).not.to.contain(new URLSearchParams(stale).get('Sign')!);
  });

  it('logs nothing for an accepted request', async () => {
    h = await startHarness();
    expect((await post(h, q, sample.body)).status).to.equal(200);
    expect(h.logs()).to.have.length(0);
  });
});

describe('an unexpected error', () => {
  it('answers 500 with a generic ErrorInfo and logs the error once', async () => {
    const chunks: string[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void chunks.push(s) });
    const broken: Enqueuer = {
      enqueueSync: () => Promise.reject(new TypeError('secret internals: x is undefined')),
      enqueueUnrouted: () => Promise.reject(new TypeError('secret internals')),
      isReady: () => Promise.resolve(true),
      close: () => Promise.resolve(),
    };
    const app = createApp({
      config: testConfig(),
      enqueuer: broken,
      metrics: new IngestMetrics({ defaultMetrics: false }),
      logger,
    });
    const res = await supertest(app.callback())
      .post(`/im/callback?${q}`)
      .type('json')
      .send(JSON.stringify(sample.body));
    expect(res.status).to.equal(500);
    expect(res.body).to.deep.equal({
      ActionStatus: 'FAIL',
      ErrorInfo: 'internal error',
      ErrorCode: REJECTIONS.internal.code,
    });
    expect(chunks).to.have.length(1);
    expect(JSON.parse(chunks[0]!)).to.deep.include({ reason: 'internal', level: 50 });
    expect(chunks[0]).to.contain('secret internals');
  });
});
