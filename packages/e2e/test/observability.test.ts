import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadSample, TEST_REDIS_URL, killAll, eventually } from '@imsync/testing';
import type { MetricFamily } from './support/prometheus.js';
import { samplesOf, sumOf } from './support/prometheus.js';
import { httpRequest, SDK_APP_ID, Stack } from './support/stack.js';

const CREATE = 'Group.CallbackAfterCreateGroup';
const q = (command: string, sdkAppId = SDK_APP_ID) =>
  `SdkAppid=${sdkAppId}&CallbackCommand=${command}&contenttype=json&ClientIP=127.0.0.1&OptPlatform=RESTAPI`;

/** A family exists, has the type and every sample carries the labels. */
function expectFamily(
  f: Map<string, MetricFamily>,
  name: string,
  type: string,
  labels: string[] = [],
): MetricFamily {
  const family = f.get(name);
  expect(family, `${name} is exposed`).to.not.equal(undefined);
  expect(family?.type, `${name} type`).to.equal(type);
  expect(family?.help, `${name} has help`).to.not.equal('');
  for (const s of family?.samples ?? []) {
    for (const l of labels) expect(s.labels, `${s.name} labels`).to.have.property(l);
  }
  return family as MetricFamily;
}

/** A histogram's buckets are cumulative, and le="+Inf" equals its _count. */
function expectHistogram(
  f: Map<string, MetricFamily>,
  name: string,
  labels: Record<string, string>,
  count: number,
) {
  const buckets = samplesOf(f, `${name}_bucket`, labels);
  expect(buckets.length, `${name} buckets`).to.be.greaterThan(3);
  const values = buckets.map((b) => b.value);
  expect(values, `${name} buckets are cumulative`).to.deep.equal([...values].sort((a, b) => a - b));
  expect(buckets.find((b) => b.labels.le === '+Inf')?.value).to.equal(sumOf(f, `${name}_count`, labels));
  expect(sumOf(f, `${name}_count`, labels), `${name}_count`).to.equal(count);
  expect(sumOf(f, `${name}_sum`, labels), `${name}_sum`).to.be.greaterThan(0);
}

const PROCESS_METRICS = [
  ['process_cpu_seconds_total', 'counter'],
  ['process_resident_memory_bytes', 'gauge'],
  ['process_open_fds', 'gauge'],
  ['nodejs_eventloop_lag_seconds', 'gauge'],
  ['nodejs_heap_size_used_bytes', 'gauge'],
  ['nodejs_gc_duration_seconds', 'histogram'],
] as const;

describe('health, readiness and Prometheus metrics of the real processes', function () {
  this.timeout(60_000);
  let stack: Stack;
  let redis: Redis;
  let queue: Queue;

  before(async () => {
    stack = await Stack.start({ label: 'metrics' });
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue('sync', { connection: redis, prefix: stack.prefix });
  });
  after(async () => {
    await queue?.close();
    redis?.disconnect();
    await stack?.close();
    await killAll();
  });

  it('/healthz and /readyz answer 200 on both services; the worker is ready with Redis and PostgreSQL', async () => {
    for (const base of [stack.adminUrl, stack.workerAdminUrl]) {
      const health = await httpRequest(`${base}/healthz`);
      expect(health.status).to.equal(200);
      expect(health.json).to.deep.equal({ status: 'ok' });
    }
    const ingest = await httpRequest(`${stack.adminUrl}/readyz`);
    expect([ingest.status, ingest.json]).to.deep.equal([200, { status: 'ready', redis: true }]);
    const worker = await httpRequest(`${stack.workerAdminUrl}/readyz`);
    expect([worker.status, worker.json]).to.deep.equal([
      200,
      { status: 'ready', redis: true, postgres: true },
    ]);
  });

  it('without DASHBOARD_USER and DASHBOARD_PASSWORD the dashboard is off: 404, and the log says so', async () => {
    expect((await httpRequest(`${stack.adminUrl}/admin/queues`)).status).to.equal(404);
    expect((await httpRequest(`${stack.adminUrl}/admin/queues/api/queues`)).status).to.equal(404);
    expect(stack.ingest?.logs.some((l) => /dashboard off/i.test(l.msg ?? ''))).to.equal(true);
  });

  it('/metrics of both services parse while callbacks flow, and count what happened', async () => {
    const base = loadSample(CREATE).body;
    const n = 40;
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const scrapes: Promise<string>[] = [];
    const scrape = (service: 'ingest' | 'sync-worker') =>
      stack.metrics(service).then(
        (f) => (f.size > 0 ? 'parsed' : 'empty'),
        (err: Error) => err.message,
      );
    try {
      const answers = await Promise.all(
        Array.from({ length: n }, async (_, i) => {
          if (i % 10 === 5) scrapes.push(scrape('ingest'), scrape('sync-worker')); // mid-flow
          return stack.post(
            q(CREATE),
            { ...base, GroupId: `@TGS#m${i}`, EventTime: 1_700_000_000_000 + i },
            agent,
          );
        }),
      );
      expect(answers.map((a) => a.status)).to.deep.equal(Array(n).fill(200));
      // a refusal, a before-callback (allowed at once) and a command imsync does not sync (kept unrouted)
      expect((await stack.post(q(CREATE, 1400000099), base, agent)).status).to.equal(403);
      expect((await stack.post(q('Group.CallbackBeforeCreateGroup'), {}, agent)).status).to.equal(200);
      expect(
        (await stack.post(q('Group.CallbackAfterReadReceipt'), { GroupId: 'g' }, agent)).status,
      ).to.equal(200);
    } finally {
      agent.destroy();
    }
    // every mid-flow scrape answered 200 and parsed
    expect(await Promise.all(scrapes)).to.deep.equal(Array(scrapes.length).fill('parsed'));

    const w = await eventually(
      async () => {
        const f = await stack.metrics('sync-worker');
        // applied (the processor returned), and completed (BullMQ recorded it, a moment later); callbacks
        // that reached ingest in one event-loop turn share a job (a batch)
        const jobs =
          sumOf(f, 'imsync_job_duration_seconds_count', { command: CREATE }) +
          sumOf(f, 'imsync_job_duration_seconds_count', { command: 'batch' });
        return sumOf(f, 'imsync_jobs_processed_total', { command: CREATE, result: 'applied' }) === n &&
          sumOf(f, 'imsync_queue_jobs', { queue: 'sync', state: 'completed' }) === jobs
          ? f
          : undefined;
      },
      10_000,
      `${n} jobs applied`,
    );
    const i = await stack.metrics('ingest');

    // ingest
    expectFamily(i, 'imsync_callbacks_received_total', 'counter', ['command', 'result']);
    expect(sumOf(i, 'imsync_callbacks_received_total', { command: CREATE, result: 'enqueued' })).to.equal(n);
    expect(sumOf(i, 'imsync_callbacks_received_total', { command: CREATE, result: 'unknownApp' })).to.equal(
      1,
    );
    expect(
      sumOf(i, 'imsync_callbacks_received_total', {
        command: 'Group.CallbackBeforeCreateGroup',
        result: 'allowed',
      }),
    ).to.equal(1);
    expect(
      sumOf(i, 'imsync_callbacks_received_total', {
        command: 'Group.CallbackAfterReadReceipt',
        result: 'unrouted',
      }),
    ).to.equal(1);
    expectFamily(i, 'imsync_ack_latency_seconds', 'histogram', ['result']);
    expectHistogram(i, 'imsync_ack_latency_seconds', { result: 'ok' }, n + 2);
    expectHistogram(i, 'imsync_ack_latency_seconds', { result: 'fail' }, 1);
    expectFamily(i, 'imsync_enqueue_latency_seconds', 'histogram', ['queue']);
    expectHistogram(i, 'imsync_enqueue_latency_seconds', { queue: 'sync' }, n);
    expectHistogram(i, 'imsync_enqueue_latency_seconds', { queue: 'unrouted' }, 1);

    // sync-worker
    expectFamily(w, 'imsync_jobs_processed_total', 'counter', ['command', 'result']);
    expectFamily(w, 'imsync_job_duration_seconds', 'histogram', ['command']);
    const alone = sumOf(w, 'imsync_job_duration_seconds_count', { command: CREATE });
    const batches = sumOf(w, 'imsync_job_duration_seconds_count', { command: 'batch' });
    if (alone > 0) expectHistogram(w, 'imsync_job_duration_seconds', { command: CREATE }, alone);
    if (batches > 0) expectHistogram(w, 'imsync_job_duration_seconds', { command: 'batch' }, batches);
    expect(alone + batches, 'at least one job, at most one per callback').to.be.within(1, n);
    expectFamily(w, 'imsync_event_to_applied_seconds', 'histogram', ['command']);
    expectHistogram(w, 'imsync_event_to_applied_seconds', { command: CREATE }, n);
    expectFamily(w, 'imsync_queue_jobs', 'gauge', ['queue', 'state']);
    for (const queueName of ['sync', 'unrouted']) {
      for (const state of ['waiting', 'active', 'delayed', 'failed', 'completed']) {
        expect(
          samplesOf(w, 'imsync_queue_jobs', { queue: queueName, state }),
          `${queueName} ${state}`,
        ).to.have.length(1);
      }
    }
    expect(sumOf(w, 'imsync_queue_jobs', { queue: 'sync', state: 'completed' })).to.equal(alone + batches);
    expect(sumOf(w, 'imsync_queue_jobs', { queue: 'sync', state: 'waiting' })).to.equal(0);
    expectFamily(w, 'imsync_queue_oldest_waiting_age_seconds', 'gauge', ['queue']);
    expect(sumOf(w, 'imsync_queue_oldest_waiting_age_seconds', { queue: 'sync' })).to.equal(0);

    // process metrics on both
    for (const f of [i, w]) {
      for (const [name, type] of PROCESS_METRICS) expectFamily(f, name, type);
      expect(sumOf(f, 'process_resident_memory_bytes')).to.be.greaterThan(10_000_000);
    }
  });

  it('queue depth and the age of the oldest waiting job follow a backlog', async () => {
    await eventually(async () => (await queue.getWaitingCount()) === 0, 10_000, 'no backlog to start with');
    await queue.pause(); // the worker takes nothing: callbacks wait
    try {
      const body = loadSample(CREATE).body;
      for (const id of ['@TGS#b1', '@TGS#b2', '@TGS#b3']) {
        expect((await stack.post(q(CREATE), { ...body, GroupId: id })).status).to.equal(200);
      }
      await sleep(1100);
      const f = await stack.metrics('sync-worker');
      expect(sumOf(f, 'imsync_queue_jobs', { queue: 'sync', state: 'waiting' })).to.equal(3);
      expect(sumOf(f, 'imsync_queue_oldest_waiting_age_seconds', { queue: 'sync' })).to.be.within(1, 60);
    } finally {
      await queue.resume();
    }
    await eventually(
      async () => {
        const f = await stack.metrics('sync-worker');
        return (
          sumOf(f, 'imsync_queue_jobs', { queue: 'sync', state: 'waiting' }) === 0 &&
          sumOf(f, 'imsync_queue_oldest_waiting_age_seconds', { queue: 'sync' }) === 0
        );
      },
      10_000,
      'the backlog drained',
    );
  });
});
