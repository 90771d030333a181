import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import pg from 'pg';
import { PrivatePostgres, TEST_REDIS_URL, killAll, type LogLine, eventually } from '@imsync/testing';
import { QueueLoad } from './support/load.js';
import { httpRequest, Stack } from './support/stack.js';

/**
 * PostgreSQL stopped as a crash would, and its backends terminated, under load: the worker stays up, says
 * not ready, takes no job while PostgreSQL is away (no attempt counted against any), and applies every
 * callback once it is back.
 */
describe('faults: PostgreSQL goes away under load (a cluster of its own, real processes)', function () {
  this.timeout(240_000);
  let cluster: PrivatePostgres;
  let stack: Stack;
  let load: QueueLoad | undefined;
  let store: pg.Pool;

  before(async () => {
    cluster = await PrivatePostgres.create();
    store = new pg.Pool({ connectionString: cluster.url(), max: 2 });
    store.on('error', () => undefined); // the test stops this server
    stack = await Stack.start({
      label: 'faults-pg',
      ingest: false,
      workerDatabaseUrl: cluster.url(),
      workerEnv: { WORKER_CONCURRENCY: '128' },
    });
  });
  afterEach(async () => {
    await load?.close();
    load = undefined;
  });
  after(async () => {
    await stack?.close();
    await killAll();
    await store?.end();
    await cluster?.drop();
  });

  const startLoad = (label: string) =>
    new QueueLoad(TEST_REDIS_URL, stack.prefix, { batch: 32, singles: 4, tickMs: 25, label });
  const logsAfter = (from: number, msg: string) => (l: LogLine) =>
    stack.worker!.logs.indexOf(l) >= from && l.msg === msg;
  const readyz = async () => (await httpRequest(`${stack.workerAdminUrl}/readyz`)).json;
  const usersLike = async (label: string) =>
    Number(
      (
        await store.query<{ n: string }>(
          `SELECT count(*) AS n FROM "${stack.schema}".users WHERE user_id LIKE $1`,
          [`u${label}-%`], // the kit's logins are of user u<id>
        )
      ).rows[0]!.n,
    );

  /** The load runs on, the outage ends, the load stops: then every callback is applied, none retried. */
  const expectAllApplied = async (l: QueueLoad, label: string) => {
    await l.stop();
    await l.drained();
    expect(await l.retried(), 'jobs that made more than one attempt').to.equal(0);
    expect(await usersLike(label)).to.equal(l.callbacks);
    expect(stack.worker!.exitStatus, 'the worker is still running').to.equal(undefined);
  };

  it('stopped (immediate) for seconds and started again: stays up, not ready, no attempt lost, all applied', async () => {
    const l = (load = startLoad('stop'));
    await eventually(async () => (await l.queue.getJobCounts('completed')).completed! > 20, 20_000, 'load');
    const from = stack.worker!.logs.length;
    await cluster.stop();
    await stack.worker!.waitForLog(
      logsAfter(from, 'PostgreSQL unreachable: taking no jobs until it answers'),
    );
    await eventually(
      async () => ((await readyz()) as { postgres?: boolean }).postgres === false,
      10_000,
      'readyz says PostgreSQL is away',
    );
    await sleep(4000); // the load goes on meanwhile
    // no job taken, none failed, none delayed for a retry: the waiting jobs are as they were added
    const counts = await l.queue.getJobCounts('active', 'failed', 'delayed');
    expect(counts).to.deep.equal({ active: 0, failed: 0, delayed: 0 });
    const waiting = await l.queue.getJobs(['wait'], 0, 200);
    expect(waiting.length).to.be.greaterThan(0);
    expect(waiting.filter((j) => j.attemptsMade !== 0)).to.deep.equal([]);
    await cluster.start();
    const back = await stack.worker!.waitForLog(
      logsAfter(from, 'PostgreSQL answers again: taking jobs'),
      20_000,
    );
    expect(back.downMs).to.be.a('number');
    await eventually(
      async () => ((await readyz()) as { status?: string }).status === 'ready',
      10_000,
      'ready',
    );
    await expectAllApplied(l, 'stop');
  });

  it('its backends terminated again and again (pg_terminate_backend): stays up, no attempt lost, all applied', async () => {
    const l = (load = startLoad('term'));
    await eventually(async () => (await l.queue.getJobCounts('completed')).completed! > 20, 20_000, 'load');
    let terminated = 0;
    for (let round = 0; round < 6; round++) {
      const r = await store.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND datname = 'imsync'
            AND query NOT LIKE '%pg_terminate_backend%'`,
      );
      terminated += r.rowCount ?? 0;
      await sleep(400);
    }
    expect(terminated, 'backends terminated').to.be.greaterThan(0);
    await expectAllApplied(l, 'term');
  });
});
