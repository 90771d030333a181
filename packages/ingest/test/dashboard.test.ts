import { expect } from 'chai';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import supertest from 'supertest';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '@imsync/testing';
import { createAdminApp } from '../src/admin.js';
import { parseBasicAuth } from '../src/basic-auth.js';
import { createDashboard, DASHBOARD_PATH, type Dashboard } from '../src/dashboard.js';
import { IngestMetrics } from '../src/metrics.js';

const USER = 'ops';
const PASSWORD = 'pa:ss wörd';
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('basic auth header parsing', () => {
  it('splits at the first colon, so a password may contain colons', () => {
    expect(parseBasicAuth(basic('ops', 'a:b:c'))).to.deep.equal({ user: 'ops', password: 'a:b:c' });
    expect(parseBasicAuth(`basic ${Buffer.from('u:').toString('base64')}`)).to.deep.equal({
      user: 'u',
      password: '',
    });
  });
  it('refuses what is not basic credentials', () => {
    for (const h of [
      undefined,
      '',
      'Bearer abc',
      'Basic',
      `Basic ${Buffer.from('nocolon').toString('base64')}`,
    ]) {
      expect(parseBasicAuth(h), String(h)).to.equal(null);
    }
  });
});

describe('the Bull dashboard on the admin app', () => {
  let connection: Redis;
  let prefix: string;
  let dashboard: Dashboard | undefined;
  const enqueuer = { isReady: async () => true };

  /** A failed job in the sync queue, failed by a worker as sync-worker would. */
  async function failedJob(): Promise<string> {
    const queue = new Queue('sync', { connection, prefix });
    const job = await queue.add('Group.CallbackAfterCreateGroup', { v: 1 });
    const workerConnection = connection.duplicate();
    const worker = new Worker(
      'sync',
      async () => {
        throw new Error('cannot apply: test failure');
      },
      { connection: workerConnection, prefix },
    );
    await new Promise<void>((resolve) => worker.on('failed', () => resolve()));
    await worker.close();
    workerConnection.disconnect();
    await queue.close();
    return job.id ?? '';
  }

  beforeEach(() => {
    prefix = uniquePrefix('dashboard');
    connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  });
  afterEach(async () => {
    await dashboard?.close();
    dashboard = undefined;
    connection.disconnect();
    await deletePrefix(prefix);
  });

  const admin = (readOnly: boolean) => {
    dashboard = createDashboard({ connection, prefix, user: USER, password: PASSWORD, readOnly });
    return supertest(
      createAdminApp({
        enqueuer,
        metrics: new IngestMetrics({ defaultMetrics: false }),
        dashboard: dashboard.middleware,
      }).callback(),
    );
  };

  it('is off when not configured: 404', async () => {
    const app = supertest(
      createAdminApp({ enqueuer, metrics: new IngestMetrics({ defaultMetrics: false }) }).callback(),
    );
    await app.get(DASHBOARD_PATH).expect(404);
    await app.get(`${DASHBOARD_PATH}/api/queues`).expect(404);
  });

  it('refuses requests without the right credentials: 401 with a Basic challenge, on the page and the API', async () => {
    const app = admin(false);
    for (const path of [
      DASHBOARD_PATH,
      `${DASHBOARD_PATH}/`,
      `${DASHBOARD_PATH}/api/queues`,
      `${DASHBOARD_PATH}/static/x.js`,
    ]) {
      for (const auth of [
        undefined,
        basic(USER, 'wrong'),
        basic('other', PASSWORD),
        basic(USER, `${PASSWORD}x`),
        'Bearer x',
      ]) {
        const req = app.get(path);
        const res = await (auth ? req.set('Authorization', auth) : req);
        expect(res.status, `${path} with ${auth}`).to.equal(401);
        expect(res.headers['www-authenticate']).to.equal('Basic realm="imsync dashboard", charset="UTF-8"');
      }
    }
  });

  it('leaves the other admin routes open (probes and Prometheus carry no credentials)', async () => {
    const app = admin(false);
    await app.get('/healthz').expect(200);
    await app.get('/readyz').expect(200);
    await app.get('/metrics').expect(200);
  });

  it('with credentials serves the page and lists the sync and unrouted queues under QUEUE_PREFIX', async () => {
    const app = admin(false);
    const page = await app.get(DASHBOARD_PATH).set('Authorization', basic(USER, PASSWORD));
    expect(page.status).to.equal(200);
    expect(page.text).to.include('<title>imsync</title>');
    const api = await app
      .get(`${DASHBOARD_PATH}/api/queues`)
      .set('Authorization', basic(USER, PASSWORD))
      .expect(200);
    const queues = (api.body as { queues: { name: string; readOnlyMode: boolean }[] }).queues;
    expect(queues.map((q) => q.name).sort()).to.deep.equal(['sync', 'unrouted']);
    expect(queues.every((q) => q.readOnlyMode === false)).to.equal(true);
  });

  it('retries a failed job when not read-only', async () => {
    const id = await failedJob();
    const app = admin(false);
    await app
      .put(`${DASHBOARD_PATH}/api/queues/sync/${id}/retry`)
      .set('Authorization', basic(USER, PASSWORD))
      .expect(204);
    const queue = new Queue('sync', { connection, prefix });
    expect(await (await queue.getJob(id))?.getState()).to.equal('waiting');
    await queue.close();
  });

  it('DASHBOARD_READONLY: every queue is read-only, and the API refuses changes', async () => {
    const id = await failedJob();
    const app = admin(true);
    const api = await app
      .get(`${DASHBOARD_PATH}/api/queues`)
      .set('Authorization', basic(USER, PASSWORD))
      .expect(200);
    const queues = (api.body as { queues: { name: string; readOnlyMode: boolean; allowRetries: boolean }[] })
      .queues;
    expect(queues.map((q) => [q.name, q.readOnlyMode, q.allowRetries]).sort()).to.deep.equal([
      ['sync', true, false],
      ['unrouted', true, false],
    ]);
    await app
      .put(`${DASHBOARD_PATH}/api/queues/sync/${id}/retry`)
      .set('Authorization', basic(USER, PASSWORD))
      .expect(405);
    await app
      .put(`${DASHBOARD_PATH}/api/queues/sync/clean/failed`)
      .set('Authorization', basic(USER, PASSWORD))
      .expect(405);
    const queue = new Queue('sync', { connection, prefix });
    expect(await (await queue.getJob(id))?.getState()).to.equal('failed');
    await queue.close();
  });
});

describe('admin readiness while stopping', () => {
  it('answers 503 once SIGTERM arrived, so that load balancers stop sending', async () => {
    let stopping = false;
    const app = supertest(
      createAdminApp({
        enqueuer: { isReady: async () => true },
        metrics: new IngestMetrics({ defaultMetrics: false }),
        stopping: () => stopping,
      }).callback(),
    );
    await app.get('/readyz').expect(200, { status: 'ready', redis: true });
    stopping = true;
    await app.get('/readyz').expect(503, { status: 'stopping' });
    await app.get('/healthz').expect(200);
  });
});
