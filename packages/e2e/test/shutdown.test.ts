import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { SYNC_BATCH_JOB } from '@imsync/callbacks';
import {
  loadSample,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  type NodeProcess,
  killAll,
  eventually,
} from '@imsync/testing';
import { httpRequest, SDK_APP_ID, Stack } from './support/stack.js';

const CREATE = 'Group.CallbackAfterCreateGroup';
const QUERY = `SdkAppid=${SDK_APP_ID}&CallbackCommand=${CREATE}&contenttype=json&ClientIP=127.0.0.1&OptPlatform=RESTAPI`;
const OK = JSON.stringify({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
const createBody = (groupId: string, eventTime: number, name = 'g') => ({
  ...loadSample(CREATE).body,
  GroupId: groupId,
  Name: name,
  EventTime: eventTime,
});

/** The GroupIds of every sync job in the queue, whatever its state. */
async function queuedGroupIds(queue: Queue): Promise<Set<string>> {
  const jobs = await queue.getJobs(
    ['wait', 'active', 'delayed', 'prioritized', 'completed', 'failed'],
    0,
    -1,
  );
  type Callback = { body: { GroupId: string } };
  // a batch job (callbacks that reached ingest in one event-loop turn) carries several
  const callbacks = jobs.flatMap((j) =>
    j.name === SYNC_BATCH_JOB ? (j.data as { events: Callback[] }).events : [j.data as Callback],
  );
  return new Set(callbacks.map((c) => c.body.GroupId));
}

describe('SIGTERM (real processes)', function () {
  this.timeout(90_000);
  let redis: Redis;
  before(() => {
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  });
  after(async () => {
    redis?.disconnect();
    await killAll();
  });

  describe('ingest', () => {
    let stack: Stack | undefined;
    let queue: Queue | undefined;
    const start = async (ingestEnv: Record<string, string>) => {
      stack = await Stack.start({ label: 'sigterm-ingest', worker: false, ingestEnv });
      queue = new Queue('sync', { connection: redis, prefix: stack.prefix });
      return { stack, queue, ingest: stack.ingest as NodeProcess };
    };
    afterEach(async () => {
      await queue?.close();
      await stack?.close();
      [stack, queue] = [undefined, undefined];
    });

    it('64 keep-alive connections at full speed, SIGTERM mid-load: no reset, every request that reached ingest answered, every OK in Redis, exit 0', async () => {
      const DRAIN_MS = 1000;
      const { stack, queue, ingest } = await start({
        SHUTDOWN_DRAIN_MS: String(DRAIN_MS),
        SHUTDOWN_TIMEOUT_MS: '10000',
      });
      const CONNECTIONS = 64;
      const MAX_REQUESTS = 30_000; // a bound, should the signal never take effect
      // a connection per client, as a load balancer or Tencent keeps them
      const agents = Array.from({ length: CONNECTIONS }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
      type Answer = {
        id: string;
        status: number;
        body: string;
        connection: unknown;
        sentAt: number;
        at: number;
      };
      const answered: Answer[] = [];
      const refused: string[] = [];
      const errors: { id: string; error: string; at: number }[] = [];
      let seq = 0;
      let stoppingSeenAt = Infinity;
      const lastAnswers: unknown[] = [];
      const client = async (agent: Agent) => {
        let last: unknown;
        while (seq < MAX_REQUESTS) {
          const id = `@TGS#load-${seq++}`;
          const sentAt = Date.now();
          try {
            const r = await stack.post(QUERY, createBody(id, 1_700_000_000_000 + seq), agent);
            const connection = r.headers.connection;
            answered.push({ id, status: r.status, body: r.text, connection, sentAt, at: Date.now() });
            last = connection;
          } catch (err) {
            const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
            // refused: ingest no longer listens, the request never reached it; this client is done
            if (code === 'ECONNREFUSED') refused.push(id);
            else errors.push({ id, error: code, at: Date.now() });
            return void lastAnswers.push(last);
          }
        }
      };

      // one request stays in flight across the drain: its headers and half its body arrive before SIGTERM
      const slowId = '@TGS#in-flight';
      const slowBody = JSON.stringify(createBody(slowId, 1_600_000_000_000));
      let slowResolve: (v: { status: number; body: string }) => void = () => undefined;
      const slowAnswer = new Promise<{ status: number; body: string }>((r) => (slowResolve = r));
      const slow = request(`${stack.ingestUrl}/im/callback?${QUERY}`, {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(slowBody) },
      });
      slow.on('response', (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => slowResolve({ status: res.statusCode ?? 0, body }));
      });
      slow.on('error', (err) => slowResolve({ status: 0, body: err.message }));
      slow.write(slowBody.slice(0, 40));

      const clients = agents.map((agent) => client(agent));
      await eventually(async () => answered.length >= 500, 20_000, '500 answers under load');
      ingest.signal('SIGTERM');
      const stopping = await ingest.waitForLog((l) => /^stopping/.test(l.msg ?? ''), 5000);
      stoppingSeenAt = Date.now();
      await ingest.waitForLog((l) => /^drained/.test(l.msg ?? ''), 10_000);

      // the listener is closed: a new connection is refused, while the request read is still being answered
      const fresh = await httpRequest(`${stack.ingestUrl}/im/callback?${QUERY}`, {
        method: 'POST',
        body: '{}',
      }).then(
        (r) => `answered ${r.status}`,
        (err: NodeJS.ErrnoException) => err.code,
      );
      expect(fresh).to.equal('ECONNREFUSED');
      expect(ingest.exitStatus, 'still finishing the in-flight request').to.equal(undefined);
      slow.end(slowBody.slice(40));
      expect(await slowAnswer).to.deep.equal({ status: 200, body: OK });

      const exit = await ingest.exited;
      await Promise.all(clients);
      for (const agent of agents) agent.destroy();
      expect(exit).to.deep.equal({ code: 0, signal: null });
      expect(ingest.logs.some((l) => l.msg === 'stopped')).to.equal(true);
      // no connection closed at the deadline, no pipelined request left unprocessed (the test Redis's own
      // settings warning aside)
      const warnings = ingest.logs.filter((l) => (l.level ?? 0) >= 40 && l.redisSetting === undefined);
      expect(warnings.map((l) => l.msg)).to.deep.equal([]);

      expect(errors, 'connection resets and other socket errors').to.deep.equal([]);
      expect(refused.length, 'every client ends refused once ingest stops listening').to.equal(CONNECTIONS);
      expect(answered.filter((a) => a.status !== 200 || a.body !== OK)).to.deep.equal([]);
      // Sent once ingest said it was stopping and answered within the drain: answered with close, so that
      // the client does not reuse the socket. (After the drain, while ingest waits for a pause in new
      // connections before it stops listening, answers keep their connection.)
      const drainEnd = Number(stopping.time) + DRAIN_MS;
      const inDrain = answered.filter((a) => a.sentAt > stoppingSeenAt && a.at < drainEnd);
      expect(inDrain.length, 'requests answered during the drain').to.be.greaterThan(0);
      expect(inDrain.filter((a) => a.connection !== 'close')).to.deep.equal([]);
      // once no longer listening, each client's last answer closed its connection: it reconnected, refused
      expect(lastAnswers).to.deep.equal(Array.from({ length: CONNECTIONS }, () => 'close'));
      const inRedis = await queuedGroupIds(queue);
      const missing = [...answered.map((a) => a.id), slowId].filter((id) => !inRedis.has(id));
      expect(missing, 'answered OK but not in Redis').to.deep.equal([]);
    });

    it('during the drain: /readyz answers 503 while the callback port still answers, closing each connection', async () => {
      const { stack, queue, ingest } = await start({ SHUTDOWN_DRAIN_MS: '4000' });
      const readyz = () => httpRequest(`${stack.adminUrl}/readyz`).then((r) => [r.status, r.json]);
      expect(await readyz()).to.deep.equal([200, { status: 'ready', redis: true }]);
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const before = await stack.post(QUERY, createBody('@TGS#before', 1_700_000_000_000), agent);
      expect([before.status, before.text, before.headers.connection]).to.deep.equal([200, OK, 'keep-alive']);

      ingest.signal('SIGTERM');
      await ingest.waitForLog((l) => /^stopping/.test(l.msg ?? ''), 5000);
      expect(await readyz()).to.deep.equal([503, { status: 'stopping' }]);
      // on the keep-alive connection opened before the signal, then on a new one
      const reused = await stack.post(QUERY, createBody('@TGS#reused', 1_700_000_001_000), agent);
      const fresh = await stack.post(QUERY, createBody('@TGS#fresh', 1_700_000_002_000));
      expect(
        ingest.logs.some((l) => /^drained/.test(l.msg ?? '')),
        'still in the drain',
      ).to.equal(false);
      for (const r of [reused, fresh])
        expect([r.status, r.text, r.headers.connection]).to.deep.equal([200, OK, 'close']);
      expect(await readyz()).to.deep.equal([503, { status: 'stopping' }]);

      expect(await ingest.exited).to.deep.equal({ code: 0, signal: null });
      agent.destroy();
      expect([...(await queuedGroupIds(queue))].sort()).to.deep.equal([
        '@TGS#before',
        '@TGS#fresh',
        '@TGS#reused',
      ]);
    });
  });

  describe('sync-worker', () => {
    let stack: Stack;
    let queue: Queue;
    let locker: pg.Client;
    const group = '@TGS#locked';

    /** Creates the group, then holds its row lock in an open transaction: any job on the group blocks. */
    async function lockGroup(): Promise<void> {
      expect((await stack.post(QUERY, createBody(group, 1_700_000_000_000, 'before'))).text).to.equal(OK);
      await eventually(
        async () =>
          (await stack.query('SELECT 1 FROM $schema.groups WHERE group_id = $1', [group])).rowCount === 1,
        5000,
        'the group row',
      );
      locker = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query(`SELECT 1 FROM "${stack.schema}".groups WHERE group_id = $1 FOR UPDATE`, [group]);
    }

    /** A job on the locked group, active (blocked on the lock) in the worker. */
    async function blockedJob(): Promise<void> {
      expect((await stack.post(QUERY, createBody(group, 1_700_000_001_000, 'after'))).text).to.equal(OK);
      await eventually(async () => (await queue.getActiveCount()) === 1, 5000, 'the job to be active');
    }

    const groupName = async () =>
      (await stack.query<{ name: string }>('SELECT name FROM $schema.groups WHERE group_id = $1', [group]))
        .rows[0]?.name;

    afterEach(async () => {
      await locker?.end().catch(() => undefined);
      await queue?.close();
      await stack?.close();
    });

    it('finishes its active jobs within SHUTDOWN_TIMEOUT_MS, then exits 0', async () => {
      stack = await Stack.start({ label: 'sigterm-worker', workerEnv: { SHUTDOWN_TIMEOUT_MS: '20000' } });
      queue = new Queue('sync', { connection: redis, prefix: stack.prefix });
      await lockGroup();
      await blockedJob();
      const worker = stack.worker as NodeProcess;
      worker.signal('SIGTERM');
      await worker.waitForLog((l) => /^stopping/.test(l.msg ?? ''), 5000);
      await sleep(500);
      expect(worker.exitStatus, 'waits for its active job').to.equal(undefined);
      await locker.query('COMMIT'); // the job can go on
      expect(await worker.exited).to.deep.equal({ code: 0, signal: null });
      expect(await groupName()).to.equal('after');
      expect(worker.logs.some((l) => /deadline/.test(l.msg ?? ''))).to.equal(false);
      expect(await queue.getCompletedCount()).to.equal(2);
    });

    it('with a deadline shorter than a job: exits 0 by the deadline, and the job is handed back and applied by another worker', async () => {
      const deadlineMs = 1500;
      stack = await Stack.start({
        label: 'sigterm-deadline',
        workerEnv: { SHUTDOWN_TIMEOUT_MS: String(deadlineMs) },
      });
      queue = new Queue('sync', { connection: redis, prefix: stack.prefix });
      await lockGroup();
      await blockedJob();
      const worker = stack.worker as NodeProcess;
      const signalledAt = Date.now();
      worker.signal('SIGTERM');
      expect(await worker.exited).to.deep.equal({ code: 0, signal: null });
      // by the deadline (plus a generous allowance for a busy machine, never the job's own time: it is blocked)
      expect(Date.now() - signalledAt).to.be.below(deadlineMs + 3000);
      expect(worker.logs.some((l) => /handed back to the queue/.test(l.msg ?? ''))).to.equal(true);
      // not lost: back in the queue, not stuck as active until a stalled check notices
      expect(await queue.getActiveCount()).to.equal(0);
      expect(await queue.getWaitingCount()).to.equal(1);
      expect(await groupName()).to.equal('before');

      await locker.query('COMMIT');
      const another = await stack.startWorker();
      // (the first worker's abandoned transaction may also commit once the lock is released: the job is
      // idempotent, so applying it twice changes nothing; what matters is that the job completes)
      await eventually(
        async () => (await queue.getCompletedCount()) === 2,
        10_000,
        'the handed-back job completed',
      );
      expect(await groupName()).to.equal('after');
      expect(await queue.getFailedCount()).to.equal(0);
      expect((await another.stop()).code).to.equal(0);
    });
  });
});
