import { createServer, type Server } from 'node:http';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { SYNC_QUEUE, UNROUTED_QUEUE } from '@imsync/callbacks';
import { TIMED_OUT, waitAtMost } from '@imsync/service-kit';
import type { Db } from './db.js';
import type { WorkerMetrics } from './metrics.js';

export interface WorkerAdminDeps {
  readonly db: Db;
  readonly connection: Redis;
  readonly prefix: string;
  readonly metrics: WorkerMetrics;
  /** False until the worker takes jobs (it may wait for PostgreSQL to run its migrations). */
  readonly started?: () => boolean;
}

const STATES = [
  'waiting',
  'active',
  'delayed',
  'failed',
  'completed',
  'prioritized',
  'waiting-children',
] as const;

/** True when `check` succeeds within `ms`. */
const answersWithin = (check: Promise<unknown>, ms: number): Promise<boolean> =>
  waitAtMost(check, ms).then(
    (r) => r !== TIMED_OUT,
    () => false,
  );

/**
 * The worker's admin server: /healthz (the process is up), /readyz (the worker has started and both Redis
 * and PostgreSQL answer now: 503 while either is away, `starting` until it takes jobs) and /metrics.
 */
export function createWorkerAdmin(deps: WorkerAdminDeps): { server: Server; close(): Promise<void> } {
  const queues = [SYNC_QUEUE, UNROUTED_QUEUE].map(
    (name) => new Queue(name, { connection: deps.connection, prefix: deps.prefix }),
  );
  // a lost Redis is the connection's to report and recover; an 'error' without a listener ends the process
  for (const q of queues) q.on('error', () => undefined);
  const ready = async () => {
    const [redis, postgres] = await Promise.all([
      answersWithin(deps.connection.ping(), 1000),
      answersWithin(deps.db.query('SELECT 1'), 1000),
    ]);
    return { redis, postgres };
  };
  const collectQueues = async () => {
    for (const q of queues) {
      const counts = await q.getJobCounts(...STATES);
      for (const state of STATES) deps.metrics.queueDepth.set({ queue: q.name, state }, counts[state] ?? 0);
      const [oldest] = await q.getJobs(['wait'], 0, 0, true);
      deps.metrics.oldestWaiting.set(
        { queue: q.name },
        oldest ? Math.max(0, Date.now() - oldest.timestamp) / 1000 : 0,
      );
    }
  };
  const server = createServer((req, res) => {
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    const route = async () => {
      if (req.method !== 'GET') return send(405, 'application/json', '{"error":"method not allowed"}');
      switch (req.url?.split('?')[0]) {
        case '/healthz':
          return send(200, 'application/json', '{"status":"ok"}');
        case '/readyz': {
          const r = await ready();
          const started = deps.started?.() ?? true;
          const ok = started && r.redis && r.postgres;
          const status = ok ? 'ready' : started ? 'not ready' : 'starting';
          return send(ok ? 200 : 503, 'application/json', JSON.stringify({ status, ...r }));
        }
        case '/metrics':
          await waitAtMost(collectQueues(), 2000).catch(() => undefined);
          return send(200, deps.metrics.registry.contentType, await deps.metrics.registry.metrics());
        default:
          return send(404, 'application/json', '{"error":"not found"}');
      }
    };
    route().catch((err: Error) => send(500, 'application/json', JSON.stringify({ error: err.message })));
  });
  return {
    server,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled(queues.map((q) => q.close()));
    },
  };
}
