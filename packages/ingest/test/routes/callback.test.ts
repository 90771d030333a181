import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import {
  CATALOG,
  eventKeyOf,
  isSyncedCommand,
  SYNC_JOB_OPTIONS,
  UNROUTED_JOB_OPTIONS,
  type SyncJobData,
  type UnroutedJobData,
} from '@imsync/callbacks';
import { callbackQuery, loadSample, loadSamples } from '@imsync/testing';
import {
  OK,
  OPEN_APP,
  PATH,
  post,
  queryOf,
  SIGNED_APP,
  startHarness,
  TOKEN,
  type Harness,
} from '../support.js';

describe('POST /im/callback: what is accepted and where it goes', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  describe('every documented sample', () => {
    beforeEach(async () => {
      h = await startHarness();
    });

    for (const sample of loadSamples()) {
      const synced = isSyncedCommand(sample.command);
      it(`${sample.command}: 200 OK, on the ${synced ? 'sync' : 'unrouted'} queue`, async () => {
        const raw = JSON.stringify(sample.body, null, 2);
        const before = Date.now();
        const res = await post(h, sample.query.toString(), raw);
        expect(res.status).to.equal(200);
        expect(res.body).to.deep.equal(OK);
        expect(res.type).to.equal('application/json');

        const [sync, unrouted] = [await h.jobs('sync'), await h.jobs('unrouted')];
        expect(synced ? unrouted : sync).to.have.length(0);
        const jobs = synced ? sync : unrouted;
        expect(jobs).to.have.length(1);
        const job = jobs[0]!;
        expect(job.name).to.equal(sample.command);
        if (synced) {
          const data = job.data as SyncJobData;
          expect(data).to.deep.equal({
            v: 1,
            sdkAppId: OPEN_APP,
            command: sample.command,
            clientIp: sample.query.get('ClientIP'),
            optPlatform: sample.command === 'State.StateChange' ? 'iOS' : sample.query.get('OptPlatform'),
            receivedAt: data.receivedAt,
            eventKey: eventKeyOf(OPEN_APP, sample.command, raw),
            body: sample.body,
          });
          expect(data.receivedAt).to.be.within(before, Date.now());
          expect(job.opts).to.deep.include({
            attempts: SYNC_JOB_OPTIONS.attempts,
            backoff: SYNC_JOB_OPTIONS.backoff,
          });
          expect(job.opts.removeOnComplete).to.deep.equal(SYNC_JOB_OPTIONS.removeOnComplete);
          expect(job.opts.removeOnFail).to.deep.equal(SYNC_JOB_OPTIONS.removeOnFail);
        } else {
          const data = job.data as UnroutedJobData;
          expect(data.sdkAppId).to.equal(OPEN_APP);
          expect(data.command).to.equal(sample.command);
          expect(data.body).to.deep.equal(sample.body);
          expect(data.query).to.deep.equal(Object.fromEntries(sample.query));
          expect(job.opts.removeOnComplete).to.deep.equal(UNROUTED_JOB_OPTIONS.removeOnComplete);
        }
      });
    }
  });

  describe('bodies and query strings that are not the samples', () => {
    beforeEach(async () => {
      h = await startHarness();
    });

    const signed = (command: string, extra: { clientIp?: string; optPlatform?: string } = {}) =>
      callbackQuery({ sdkAppId: SIGNED_APP, command, token: TOKEN, ...extra });

    interface Case {
      readonly title: string;
      readonly query: string;
      readonly body: Record<string, unknown>;
      readonly check?: (data: SyncJobData) => void;
    }
    const cases: Case[] = [
      {
        title: 'a signed friend add from another app, EventTime as a number, iOs platform',
        query: signed('Sns.CallbackFriendAdd', { clientIp: '203.0.113.9', optPlatform: 'iOs' }),
        body: {
          CallbackCommand: 'Sns.CallbackFriendAdd',
          PairList: [{ From_Account: 'alice', To_Account: 'bob', Initiator_Account: 'alice' }],
          ClientCmd: 'FriendResponse',
          Admin_Account: 'admin',
          ForceFlag: 0,
          EventTime: 1712000000000,
        },
        check: (d) =>
          expect(d).to.deep.include({ sdkAppId: SIGNED_APP, clientIp: '203.0.113.9', optPlatform: 'iOS' }),
      },
      {
        title: 'a state change with macOS',
        query: callbackQuery({
          sdkAppId: OPEN_APP,
          command: 'State.StateChange',
          optPlatform: 'macOS',
          clientIp: '10.1.2.3',
        }),
        body: {
          CallbackCommand: 'State.StateChange',
          EventTime: '1712000000001',
          Info: { Action: 'Disconnect', To_Account: 'u9', Reason: 'TimeOut' },
        },
        check: (d) => expect(d.optPlatform).to.equal('Mac'),
      },
      {
        title: 'a group info change with groupID and only the name',
        query: callbackQuery({
          sdkAppId: OPEN_APP,
          command: 'Group.CallbackAfterGroupInfoChanged',
          optPlatform: 'Web',
        }),
        body: {
          CallbackCommand: 'Group.CallbackAfterGroupInfoChanged',
          groupID: '@TGS#abc',
          Type: 'Work',
          Operator_Account: 'o',
          Name: 'new',
          EventTime: 1712000000002,
        },
      },
      {
        title: 'a member field change with the English Member_Account',
        query: signed('Group.CallbackAfterMemberFieldChanged'),
        body: {
          CallbackCommand: 'Group.CallbackAfterMemberFieldChanged',
          GroupId: '@TGS#abc',
          Member_Account: 'bob',
          NameCard: 'Bobby',
          EventTime: 1712000000003,
        },
      },
      {
        title: 'group attributes with upper-case Key/Value',
        query: signed('Group.CallbackAfterGroupAttrChanged'),
        body: {
          CallbackCommand: 'Group.CallbackAfterGroupAttrChanged',
          GroupId: '@TGS#abc',
          OptionType: 'modify',
          GroupAttr: [{ Key: 'k', Value: 'v' }],
        },
      },
      {
        title: 'a Community group destroyed without MemberList',
        query: signed('Group.CallbackAfterGroupDestroyed', { optPlatform: 'RESTAPI' }),
        body: {
          CallbackCommand: 'Group.CallbackAfterGroupDestroyed',
          GroupId: '@TGS#_comm',
          Type: 'Community',
          Owner_Account: 'o',
          Name: 'c',
          EventTime: 1712000000004,
        },
      },
      {
        title: 'a body without CallbackCommand (routed on the query) and with a field Tencent added later',
        query: signed('Group.CallbackAfterGroupFull'),
        body: { GroupId: '@TGS#full', EventTime: 1712000000005, NewFieldFrom2030: { x: 1 } },
        check: (d) => expect(d.body).to.have.property('NewFieldFrom2030'),
      },
      {
        title: 'SdkAppId spelt as the Live-room docs do, no ClientIP or OptPlatform',
        query: `SdkAppId=${OPEN_APP}&CallbackCommand=Group.CallbackOnMemberStateChange&contenttype=JSON`,
        body: {
          CallbackCommand: 'Group.CallbackOnMemberStateChange',
          GroupId: '@TGS#av',
          EventType: 'Online',
          MemberList: [{ Member_Account: 'm' }],
        },
        check: (d) => expect(d).to.deep.include({ clientIp: null, optPlatform: null }),
      },
    ];

    for (const c of cases) {
      it(c.title, async () => {
        const command = new URLSearchParams(c.query).get('CallbackCommand')!;
        const raw = JSON.stringify(c.body);
        const res = await post(h, c.query, raw);
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
        expect(res.body).to.deep.equal(OK);
        const jobs = await h.jobs('sync');
        expect(jobs.map((j) => j.name)).to.deep.equal([command]);
        const data = jobs[0]!.data as SyncJobData;
        expect(data.command).to.equal(command);
        expect(data.body).to.deep.equal(c.body);
        expect(data.eventKey).to.equal(eventKeyOf(data.sdkAppId, command, raw));
        c.check?.(data);
        expect(await h.jobs('unrouted')).to.have.length(0);
      });
    }
  });

  describe('before-callbacks', () => {
    beforeEach(async () => {
      h = await startHarness();
    });

    const before = [...CATALOG.values()].filter((e) => e.kind === 'before').map((e) => e.command);

    it(`allows each of the ${before.length} at once (OK, ErrorCode 0) and enqueues nothing`, async () => {
      expect(before).to.include('Group.CallbackBeforeCreateGroup');
      for (const command of before) {
        const res = await post(h, callbackQuery({ sdkAppId: SIGNED_APP, command, token: TOKEN }), {
          CallbackCommand: command,
          Operator_Account: 'leckie',
          GroupId: '@TGS#x',
        });
        expect(res.status, command).to.equal(200);
        expect(res.body, command).to.deep.equal(OK);
      }
      expect(await h.jobs('sync')).to.have.length(0);
      expect(await h.jobs('unrouted')).to.have.length(0);
      const counted = (await h.metrics.registry.getSingleMetric('imsync_callbacks_received_total')!.get())
        .values;
      const allowed = counted.filter((v) => v.labels.result === 'allowed');
      expect(allowed.map((v) => v.labels.command)).to.have.members(before);
      expect(allowed.every((v) => v.value === 1)).to.equal(true);
    });

    it('allows Group.CallbackBeforeCreateGroup with a body the sync schemas would refuse', async () => {
      const res = await post(
        h,
        callbackQuery({ sdkAppId: OPEN_APP, command: 'Group.CallbackBeforeCreateGroup' }),
        { whatever: [1] },
      );
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal(OK);
      expect(await h.sync.count()).to.equal(0);
      expect(await h.unrouted.count()).to.equal(0);
    });
  });

  describe('every other command, known or not', () => {
    beforeEach(async () => {
      h = await startHarness();
    });

    it('keeps an unknown command on the unrouted queue, named after it, without the Sign', async () => {
      const query = callbackQuery({
        sdkAppId: SIGNED_APP,
        command: 'Group.CallbackAfterSomethingNew',
        token: TOKEN,
        clientIp: '1.2.3.4',
      });
      const res = await post(h, query, {
        CallbackCommand: 'Group.CallbackAfterSomethingNew',
        Any: ['thing'],
      });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal(OK);
      const [job, ...more] = await h.jobs('unrouted');
      expect(more).to.have.length(0);
      expect(job!.name).to.equal('Group.CallbackAfterSomethingNew');
      const data = job!.data as UnroutedJobData;
      expect(data.body).to.deep.equal({ CallbackCommand: 'Group.CallbackAfterSomethingNew', Any: ['thing'] });
      expect(data.query).to.include({
        SdkAppid: String(SIGNED_APP),
        CallbackCommand: 'Group.CallbackAfterSomethingNew',
        ClientIP: '1.2.3.4',
      });
      expect(data.query).not.to.have.property('Sign');
      expect(JSON.stringify(job!.data)).not.to.contain(new URLSearchParams(query).get('Sign')!);
      expect(job!.opts.removeOnComplete).to.deep.equal(UNROUTED_JOB_OPTIONS.removeOnComplete);
      expect(job!.opts.removeOnFail).to.deep.equal(UNROUTED_JOB_OPTIONS.removeOnFail);
      expect(await h.sync.count()).to.equal(0);
    });

    it('keeps documented after-callbacks it does not sync, including a body without CallbackCommand or a JSON array', async () => {
      const requests: [string, unknown][] = [
        [
          'C2C.CallbackAfterSendMsg',
          { CallbackCommand: 'C2C.CallbackAfterSendMsg', From_Account: 'a', To_Account: 'b' },
        ],
        ['ContentCallback.ResultNotify', { Result: 1, Detail: 'no CallbackCommand in this body' }],
        [
          'Push.OfflinePush',
          { CallbackCommand: 'Push.OfflinePush', Events: [{ To_Account: 'a' }, { To_Account: 'b' }] },
        ],
        ['Alert.RequestOverLimit', [{ api: 'sendmsg' }]],
      ];
      for (const [command, body] of requests) {
        const res = await post(h, callbackQuery({ sdkAppId: OPEN_APP, command }), JSON.stringify(body));
        expect(res.status, command).to.equal(200);
      }
      const jobs = await h.jobs('unrouted');
      expect(jobs.map((j) => j.name)).to.deep.equal(requests.map(([c]) => c));
      expect(jobs.map((j) => (j.data as UnroutedJobData).body)).to.deep.equal(requests.map(([, b]) => b));
      expect(await h.sync.count()).to.equal(0);
    });
  });

  describe('with UNROUTED_ENABLED=false', () => {
    beforeEach(async () => {
      h = await startHarness({ env: { UNROUTED_ENABLED: 'false' } });
    });

    it('answers OK and keeps nothing for an unrouted command, and still syncs the synced ones', async () => {
      for (const command of [
        'Nope.Unknown',
        'Follow.CallbackAfterFollowAdd',
        'Group.CallbackAfterRecallMsg',
      ]) {
        const res = await post(h, callbackQuery({ sdkAppId: OPEN_APP, command }), {
          CallbackCommand: command,
        });
        expect(res.status).to.equal(200);
        expect(res.body).to.deep.equal(OK);
      }
      expect(await h.unrouted.count()).to.equal(0);
      const sample = loadSample('Group.CallbackAfterGroupFull');
      expect((await post(h, sample.query.toString(), sample.body)).status).to.equal(200);
      expect((await h.jobs('sync')).map((j) => j.name)).to.deep.equal(['Group.CallbackAfterGroupFull']);
    });
  });

  describe('Content-Type', () => {
    beforeEach(async () => {
      h = await startHarness();
    });

    it('parses the body as JSON with text/plain, a form type, or a JSON type with a charset', async () => {
      const sample = loadSample('Group.CallbackAfterNewMemberJoin');
      const types = ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-8'];
      for (const [i, type] of types.entries()) {
        const body = { ...sample.body, EventTime: 1712000000000 + i };
        const res = await post(h, sample.query.toString(), body, type);
        expect(res.status, type).to.equal(200);
      }
      const jobs = await h.jobs('sync');
      expect(jobs.map((j) => (j.data as SyncJobData).body.EventTime)).to.deep.equal([
        1712000000000, 1712000000001, 1712000000002,
      ]);
    });

    it('parses the body as JSON without any Content-Type header', async () => {
      // supertest always sets a Content-Type for a string body: send this one by hand
      const sample = loadSample('Sns.CallbackBlackListAdd');
      const raw = JSON.stringify(sample.body);
      const { status, body } = await rawPost(h, `${PATH}?${queryOf(sample.query)}`, raw);
      expect(status).to.equal(200);
      expect(JSON.parse(body)).to.deep.equal(OK);
      const jobs = await h.jobs('sync');
      expect(jobs.map((j) => j.name)).to.deep.equal(['Sns.CallbackBlackListAdd']);
      expect((jobs[0]!.data as SyncJobData).eventKey).to.equal(
        eventKeyOf(OPEN_APP, 'Sns.CallbackBlackListAdd', raw),
      );
    });
  });
});

/** A POST with exactly the headers given (no Content-Type), through a real socket. */
async function rawPost(h: Harness, path: string, body: string): Promise<{ status: number; body: string }> {
  const server = await h.listen();
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path,
          method: 'POST',
          headers: { 'Content-Length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, body: text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
