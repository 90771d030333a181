import { expect } from 'chai';
import { REJECTIONS, type RejectionReason } from '@imsync/callbacks';
import { callbackQuery, deepJson, loadSample } from '@imsync/testing';
import { pino } from 'pino';
import supertest from 'supertest';
import { createApp } from '../../src/app.js';
import { QueueUnavailableError, type Enqueuer } from '../../src/enqueuer.js';
import { IngestMetrics } from '../../src/metrics.js';
import { OK, OPEN_APP, post, startHarness, testConfig, type Harness } from '../support.js';

const create = loadSample('Group.CallbackAfterCreateGroup');
const createQuery = create.query.toString();
const portrait = loadSample('Profile.CallbackPortraitSet');
const unroutedQuery = callbackQuery({ sdkAppId: OPEN_APP, command: 'C2C.CallbackAfterSendMsg' });

/** The sample's JSON with one more field whose value is `valueJson`, as sent. */
const withField = (body: object, key: string, valueJson: string): string =>
  `${JSON.stringify(body).slice(0, -1)},${JSON.stringify(key)}:${valueJson}}`;

describe('hostile bodies: every one gets its documented refusal, never a 500 or a 503', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => h.close());

  async function expectRejected(res: supertest.Response, reason: RejectionReason): Promise<string> {
    expect(res.status, res.text).to.equal(REJECTIONS[reason].status);
    expect(res.body).to.deep.include({ ActionStatus: 'FAIL', ErrorCode: REJECTIONS[reason].code });
    expect(await h.sync.count()).to.equal(0);
    expect(await h.unrouted.count()).to.equal(0);
    return res.body.ErrorInfo as string;
  }

  it('{"toString":1} (or another built-in name) where a field is expected: 400 naming the field', async () => {
    for (const field of ['GroupId', 'EventTime', 'Name', 'MemberList', 'Operator_Account']) {
      const info = await expectRejected(
        await post(
          h,
          createQuery,
          withField({ ...create.body, [field]: undefined }, field, '{"toString":1}'),
        ),
        'invalidBody',
      );
      expect(info).to.contain(`${field}.toString is a key imsync refuses`);
    }
    const info = await expectRejected(
      await post(h, createQuery, withField(create.body, 'Future', '{"valueOf":{"constructor":1}}')),
      'invalidBody',
    );
    expect(info).to.contain('Future.valueOf is a key imsync refuses');
  });

  it('a body nested 5,000 to 10,000 levels: 400 at once, for a synced command and an unrouted one', async () => {
    for (const depth of [33, 5000, 8000, 10_000]) {
      const info = await expectRejected(
        await post(h, createQuery, withField(create.body, 'Deep', deepJson(depth))),
        'invalidBody',
      );
      expect(info).to.match(/Deep\.a\[0\]\.a.* is nested deeper than 32 levels/);
      const whole = await expectRejected(await post(h, unroutedQuery, deepJson(depth)), 'invalidBody');
      expect(whole).to.contain('is nested deeper than 32 levels');
    }
    // at the limit, both are kept
    expect((await post(h, createQuery, withField(create.body, 'Deep', deepJson(31)))).body).to.deep.equal(OK);
    expect((await post(h, unroutedQuery, deepJson(32))).body).to.deep.equal(OK);
  });

  it('a lone surrogate escape (\\ud800) in a value or a key: 400 naming it; a surrogate pair is kept', async () => {
    let info = await expectRejected(
      await post(h, createQuery, withField(create.body, 'Name', '"My \\ud800 group"')),
      'invalidBody',
    );
    expect(info).to.contain('Name must not contain a lone UTF-16 surrogate');
    info = await expectRejected(
      await post(h, createQuery, withField(create.body, 'Extra', '{"k\\udfff":1}')),
      'invalidBody',
    );
    expect(info).to.contain('must not contain a lone UTF-16 surrogate');
    const pair = await post(h, createQuery, withField(create.body, 'Extra', '"\\ud83d\\ude00"'));
    expect(pair.body).to.deep.equal(OK);
  });

  it('1e400 (JSON.parse makes it Infinity): 400 naming the field, synced or unrouted', async () => {
    const items = '[{"Tag":"Tag_Profile_IM_Nick","Value":1e400}]';
    const info = await expectRejected(
      await post(
        h,
        portrait.query.toString(),
        withField({ ...portrait.body, ProfileItem: undefined }, 'ProfileItem', items),
      ),
      'invalidBody',
    );
    expect(info).to.contain('ProfileItem[0].Value must be a finite number');
    const send = loadSample('Group.CallbackAfterSendMsg');
    await expectRejected(
      await post(
        h,
        send.query.toString(),
        withField({ ...send.body, Random: undefined }, 'Random', '-1e400'),
      ),
      'invalidBody',
    );
    const unrouted = await expectRejected(await post(h, unroutedQuery, '{"Random":1e400}'), 'invalidBody');
    expect(unrouted).to.contain('Random must be a finite number');
  });

  it('an ID longer than any Tencent ID: 400 naming it', async () => {
    const info = await expectRejected(
      await post(h, createQuery, {
        ...create.body,
        GroupId: 'g'.repeat(3000),
        Owner_Account: 'o'.repeat(129),
      }),
      'invalidBody',
    );
    expect(info).to.contain('GroupId must be at most 128 characters').and.to.contain('Owner_Account');
  });

  it('a CallbackCommand in the body that is an object (even {"toString":1}): 400 commandMismatch', async () => {
    const info = await expectRejected(
      await post(
        h,
        createQuery,
        withField({ ...create.body, CallbackCommand: undefined }, 'CallbackCommand', '{"toString":1}'),
      ),
      'commandMismatch',
    );
    expect(info).to.contain('body says an object');
  });

  it('an unrouted body keeps what the queue holds as sent: a NUL, a lone surrogate, a long ID', async () => {
    const body = '{"Text":"a\\u0000b","Odd":"\\ud800","From_Account":"' + 'x'.repeat(500) + '"}';
    expect((await post(h, unroutedQuery, body)).body).to.deep.equal(OK);
    const [job] = await h.jobs('unrouted');
    expect(job!.data.body).to.deep.equal(JSON.parse(body));
  });
});

describe('503 only when Redis did not accept the job', () => {
  async function answerTo(cause: Error): Promise<supertest.Response> {
    const failing: Enqueuer = {
      enqueueSync: () =>
        Promise.reject(new QueueUnavailableError(`enqueue failed: ${cause.message}`, { cause })),
      enqueueUnrouted: () => Promise.reject(new QueueUnavailableError('enqueue failed', { cause })),
      isReady: () => Promise.resolve(true),
      close: () => Promise.resolve(),
    };
    const app = createApp({
      config: testConfig(),
      enqueuer: failing,
      metrics: new IngestMetrics({ defaultMetrics: false }),
      logger: pino({ level: 'silent' }),
    });
    return supertest(app.callback())
      .post(`/im/callback?${createQuery}`)
      .type('json')
      .send(JSON.stringify(create.body));
  }

  it('a Redis fault (connection lost, refused write) is 503 queueUnavailable', async () => {
    for (const cause of [
      new Error('Connection is closed.'),
      Object.assign(new Error('OOM command not allowed'), { name: 'ReplyError' }),
    ]) {
      const res = await answerTo(cause);
      expect(res.status).to.equal(503);
      expect(res.body.ErrorCode).to.equal(REJECTIONS.queueUnavailable.code);
    }
  });

  it('a fault of the job itself (it could not be serialised, a bug) is 500, never "retry later"', async () => {
    for (const cause of [
      new RangeError('Maximum call stack size exceeded'),
      new TypeError('x is undefined'),
    ]) {
      const res = await answerTo(cause);
      expect(res.status).to.equal(500);
      expect(res.body.ErrorCode).to.equal(REJECTIONS.internal.code);
    }
  });
});
