import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { SYNC_QUEUE } from '@imsync/callbacks';
import {
  freePort,
  PrivateRedis,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  killAll,
  startService,
  type NodeProcess,
  eventually,
} from '@imsync/testing';
import { login, QueueLoad } from './support/load.js';
import { httpRequest, Stack } from './support/stack.js';

describe('faults: a worker SIGKILLed while it holds jobs (real processes)', function () {
  this.timeout(90_000);
  // short, so that the test is quick; the defaults (10 s and 4 s) give the same within 15 s
  const LOCK_MS = 2000;
  const STALLED_INTERVAL_MS = 1000;
  let stack: Stack;
  let other: NodeProcess | undefined;
  const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  let queue: Queue;

  before(async () => {
    stack = await Stack.start({
      label: 'faults-kill',
      ingest: false,
      workerEnv: {
        WORKER_LOCK_MS: String(LOCK_MS),
        WORKER_STALLED_INTERVAL_MS: String(STALLED_INTERVAL_MS),
        WORKER_CONCURRENCY: '64',
      },
    });
    queue = new Queue(SYNC_QUEUE, { connection, prefix: stack.prefix });
  });
  after(async () => {
    await other?.stop().catch(() => undefined);
    await stack?.close();
    await killAll();
    await queue?.close();
    await connection.quit();
  });

  it('its jobs are taken over by another worker within the lock and stall-check window', async () => {
    const jobs = 10;
    const db = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    let killedAt: number;
    try {
      // the worker's writes wait on this lock: it holds its jobs, active, when it is killed
      await db.query('BEGIN');
      await db.query(`LOCK TABLE "${stack.schema}".users IN EXCLUSIVE MODE`);
      await queue.addBulk(
        Array.from({ length: jobs }, (_, i) => ({
          name: 'State.StateChange',
          data: login(`kill-${i}`),
          opts: { attempts: 10 },
        })),
      );
      await eventually(
        async () => (await queue.getJobCounts('active')).active === jobs,
        10_000,
        'the worker holds every job',
      );
      stack.worker!.signal('SIGKILL');
      await stack.worker!.exited;
      killedAt = Date.now();
    } finally {
      await db.query('COMMIT').catch(() => undefined);
      await db.end();
    }
    other = await startService(
      'sync-worker',
      stack.workerEnv({ WORKER_ADMIN_PORT: String(await freePort()) }),
    );
    await eventually(
      async () => (await queue.getJobCounts('completed')).completed === jobs,
      30_000,
      'every job completed by the other worker',
    );
    const done = await queue.getJobs(['completed']);
    // lapsed lock, then the next stall check, then the other worker's fetch (with room for a busy machine)
    const window = LOCK_MS + 2 * STALLED_INTERVAL_MS + 5000;
    for (const job of done) {
      expect(job.finishedOn! - killedAt, `job ${job.id} taken over in time`).to.be.below(window);
      expect(job.attemptsMade, 'a stall is no attempt').to.equal(1);
    }
    expect((await queue.getJobCounts('failed')).failed).to.equal(0);
  });
});

describe('faults: Redis SIGKILLed and restarted under load (a redis-server of its own, real processes)', function () {
  this.timeout(120_000);
  let redis: PrivateRedis;
  let stack: Stack;
  let load: QueueLoad | undefined;

  before(async () => {
    redis = await PrivateRedis.start();
    stack = await Stack.start({ label: 'faults-redis', ingest: false, redisUrl: redis.url });
  });
  after(async () => {
    await load?.close();
    await stack?.close();
    await killAll();
    await redis?.stop();
  });

  it('stays up, says not ready while Redis is away, and applies what is queued once it is back', async () => {
    const readyz = async () => (await httpRequest(`${stack.workerAdminUrl}/readyz`)).status;
    let l = (load = new QueueLoad(redis.url, stack.prefix, {
      batch: 16,
      singles: 2,
      tickMs: 25,
      label: 'r1',
    }));
    await eventually(async () => (await l.queue.getJobCounts('completed')).completed! > 20, 20_000, 'load');
    await redis.stop(); // SIGKILL: this Redis keeps nothing (no AOF), so what it held is gone with it
    await eventually(async () => (await readyz()) === 503, 10_000, 'not ready');
    await sleep(3000);
    await l.close();
    expect(stack.worker!.exitStatus, 'the worker is still running').to.equal(undefined);
    await redis.restart();
    await eventually(async () => (await readyz()) === 200, 20_000, 'ready again');
    l = load = new QueueLoad(redis.url, stack.prefix, { batch: 16, singles: 2, tickMs: 25, label: 'r2' });
    await sleep(2000);
    await l.stop();
    await l.drained(60_000);
    expect(await l.retried(), 'jobs that made more than one attempt').to.equal(0);
    const rows = await stack.query<{ n: string }>(
      `SELECT count(*) AS n FROM $schema.users WHERE user_id LIKE 'ur2-%'`,
    );
    expect(Number(rows.rows[0]!.n)).to.equal(l.callbacks);
    expect(stack.worker!.exitStatus, 'the worker is still running').to.equal(undefined);
  });
});
