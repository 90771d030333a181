import { existsSync } from 'node:fs';
import { expect } from 'chai';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { chromium, type Browser } from 'playwright-core';
import { TEST_REDIS_URL, killAll, eventually } from '@imsync/testing';
import { httpRequest, Stack } from './support/stack.js';

const CHROMIUM = '/usr/bin/chromium';
const USER = 'ops';
const PASSWORD = 'correct horse battery staple';
export const SCREENSHOT = '/tmp/imsync-dashboard-failed-job.png';

describe('the Bull dashboard in a real browser (Debian chromium, ingest and sync-worker processes)', function () {
  this.timeout(90_000);
  let stack: Stack;
  let browser: Browser;
  let redis: Redis;
  let failedReason: string;

  before(async function () {
    // no skip: a CI without chromium must fail here (.ci/run installs it)
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`).to.equal(true);
    stack = await Stack.start({
      label: 'dashboard',
      ingestEnv: { DASHBOARD_USER: USER, DASHBOARD_PASSWORD: PASSWORD },
    });
    // a job the real worker can never apply: it fails for good, with its reason kept for the dashboard
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue('sync', { connection: redis, prefix: stack.prefix });
    const job = await queue.add(
      'Group.CallbackAfterCreateGroup',
      { v: 1, note: 'not a callback' },
      { attempts: 3 },
    );
    failedReason = await eventually(
      async () => (await queue.getJob(job.id ?? ''))?.failedReason || undefined,
      10_000,
      'the job to fail',
    );
    await queue.close();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  });

  after(async () => {
    await browser?.close();
    redis?.disconnect();
    await stack?.close();
    await killAll();
  });

  it('the log says where the dashboard is', () => {
    const line = stack.ingest?.logs.find((l) => l.msg === 'Bull dashboard on (HTTP basic auth)');
    expect(line?.url).to.equal(`${stack.adminUrl}/admin/queues`);
  });

  /**
   * Opens the dashboard and records every answer. Chromium either shows the 401 page or, having nothing
   * (more) to offer, aborts with ERR_INVALID_AUTH_CREDENTIALS: both are a refusal, as long as every answer
   * was a 401 challenge.
   */
  async function open(httpCredentials?: { username: string; password: string }) {
    const context = await browser.newContext(httpCredentials ? { httpCredentials } : {});
    try {
      const page = await context.newPage();
      const answers: { status: number; challenge: string | undefined }[] = [];
      page.on('response', (r) =>
        answers.push({ status: r.status(), challenge: r.headers()['www-authenticate'] }),
      );
      const outcome = await page.goto(`${stack.adminUrl}/admin/queues`).then(
        (r) => `status ${r?.status()}`,
        (err: Error) => err.message,
      );
      // after an aborted navigation Chromium may still be showing its error page
      const content = await page.content().catch(() => '');
      return { outcome, answers, content };
    } finally {
      await context.close();
    }
  }

  const expectRefused = (r: Awaited<ReturnType<typeof open>>) => {
    expect(r.outcome).to.match(/^status 401$|ERR_INVALID_AUTH_CREDENTIALS/);
    expect(r.answers.length).to.be.greaterThan(0);
    for (const a of r.answers) {
      expect(a.status).to.equal(401);
      expect(a.challenge).to.match(/^Basic realm="imsync dashboard"/);
    }
    expect(r.content).to.not.include('unrouted');
  };

  it('refuses the page without credentials (401, WWW-Authenticate: Basic)', async () => {
    expectRefused(await open());
    // the dashboard's API too, not only its page
    expect((await httpRequest(`${stack.adminUrl}/admin/queues/api/queues`)).status).to.equal(401);
  });

  it('refuses a wrong password', async () => {
    expectRefused(await open({ username: USER, password: 'wrong' }));
    expectRefused(await open({ username: 'someone', password: PASSWORD }));
  });

  it('with credentials shows the sync and unrouted queues, and the failed job with its reason', async () => {
    const context = await browser.newContext({ httpCredentials: { username: USER, password: PASSWORD } });
    try {
      const page = await context.newPage();
      const response = await page.goto(`${stack.adminUrl}/admin/queues`);
      expect(response?.status()).to.equal(200);
      await page.getByRole('link', { name: /^sync/ }).first().waitFor({ timeout: 15_000 });
      await page
        .getByRole('link', { name: /^unrouted/ })
        .first()
        .waitFor({ timeout: 15_000 });

      await page.goto(`${stack.adminUrl}/admin/queues/queue/sync?status=failed`);
      await page.getByText(failedReason.slice(0, 40), { exact: false }).first().waitFor({ timeout: 15_000 });
      expect(await page.getByText('Group.CallbackAfterCreateGroup').count()).to.be.greaterThan(0);
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
    } finally {
      await context.close();
    }
  });
});
