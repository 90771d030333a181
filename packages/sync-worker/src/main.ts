import { once } from 'node:events';
import type { Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  checkRedisSettingsWhenReady,
  createLogger,
  loadConfigOrExit,
  TIMED_OUT,
  waitAtMost,
  WORKER_REDIS_OPTIONS,
} from '@imsync/service-kit';
import { createWorkerAdmin } from './admin.js';
import { ReconcileMetrics, startReconcile } from './backfill/reconcile.js';
import { createTencentSource } from './backfill/tencent-source.js';
import { loadConfig, type WorkerConfig } from './config.js';
import { createPool, migrate, type Db } from './db.js';
import { WorkerMetrics } from './metrics.js';
import { isStoreUnavailable } from './store-gate.js';
import { createSyncWorker, createUnroutedWorker } from './worker.js';

/** The jobs a worker is processing right now, to hand them back if the shutdown deadline passes. */
function trackActive(worker: Worker): Set<Job> {
  const active = new Set<Job>();
  worker.on('active', (job) => active.add(job));
  worker.on('completed', (job) => active.delete(job));
  worker.on('failed', (job) => job && active.delete(job));
  return active;
}

/**
 * Puts jobs this process still holds back on the wait list at once (their lock released), so another
 * worker takes them now rather than after the stalled-job check notices the lapsed lock. A job that
 * finished meanwhile is left alone (its lock is gone: BullMQ refuses the move).
 */
async function handBackAtDeadline(active: Iterable<Job>, logger: Logger): Promise<void> {
  await Promise.allSettled(
    [...active].map(async (job) => {
      try {
        await job.moveToWait(job.token);
        logger.warn(
          { jobId: job.id, command: job.name },
          'unfinished at the deadline: handed back to the queue',
        );
      } catch (err) {
        logger.warn(
          { jobId: job.id, err: (err as Error).message },
          'could not hand back; the stalled check will',
        );
      }
    }),
  );
}

/**
 * Runs the migrations, waiting for PostgreSQL while it cannot be reached (a worker started before its
 * database, or during an outage, starts once the database answers). Any other error (credentials, a
 * migration that fails) stops the start.
 */
async function migrateWhenReachable(
  config: WorkerConfig,
  logger: Logger,
  stopping: () => boolean,
): Promise<string[] | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrate(config.databaseUrl, config.dbSchema, (msg) => logger.debug(msg));
    } catch (err) {
      if (!isStoreUnavailable(err)) throw err;
      const retryMs = Math.min(5000, 250 * 2 ** Math.min(attempt, 5));
      logger.warn(
        { err: (err as Error).message, attempt, retryMs },
        'PostgreSQL unreachable: waiting for it to run the migrations',
      );
      await new Promise((r) => setTimeout(r, retryMs));
      if (stopping()) return undefined;
    }
  }
}

interface Running {
  readonly worker: Worker;
  readonly unrouted: Worker;
  readonly active: Set<Job>;
}

/**
 * Stops within SHUTDOWN_TIMEOUT_MS and exits 0: the workers take no new job and finish the active ones; jobs
 * still running near the deadline are handed back to the queue; then the admin server, the pool and Redis
 * are closed, none waited for past the deadline.
 */
async function stop(
  signal: string,
  deps: {
    config: WorkerConfig;
    logger: Logger;
    workers: Running | undefined;
    reconcile: { close(): Promise<void> } | undefined;
    admin: { close(): Promise<void> };
    db: Db;
    connection: Redis;
  },
): Promise<void> {
  const { config, logger, admin, db, connection } = deps;
  const deadline = Date.now() + config.shutdownTimeoutMs;
  logger.info(
    { signal, deadlineMs: config.shutdownTimeoutMs },
    'stopping: no new jobs, finishing active ones',
  );
  // a sweep stops after its current batch; the next run resumes from its checkpoint
  const reconciled = deps.reconcile ? waitAtMost(deps.reconcile.close(), config.shutdownTimeoutMs / 2) : null;
  if (deps.workers) {
    const { worker, unrouted, active } = deps.workers;
    const graceful = Promise.all([worker.close(), unrouted.close()]);
    // keep a margin before the deadline to hand jobs back and close connections
    const margin = Math.min(1000, Math.floor(config.shutdownTimeoutMs / 4));
    if ((await waitAtMost(graceful, config.shutdownTimeoutMs - margin)) === TIMED_OUT) {
      logger.warn({ active: active.size }, 'deadline reached with jobs still active: handing them back');
      await waitAtMost(handBackAtDeadline(active, logger), Math.max(100, deadline - Date.now() - 200));
      await waitAtMost(Promise.allSettled([worker.close(true), unrouted.close(true)]), 200);
    }
  }
  await reconciled;
  // a job stuck in PostgreSQL keeps its client: do not wait past the deadline for the pool to drain.
  // Its transaction is rolled back by PostgreSQL when the process exits.
  const left = () => Math.max(50, deadline - Date.now());
  await waitAtMost(admin.close(), left());
  await waitAtMost(db.end(), left());
  await waitAtMost(
    connection.quit().catch(() => connection.disconnect()),
    left(),
  );
  logger.info('stopped');
  process.exit(0);
}

/** What main() wires together: the settings and the connections every part shares. */
interface Wiring {
  readonly config: WorkerConfig;
  readonly logger: Logger;
  readonly db: Db;
  readonly connection: Redis;
  readonly metrics: WorkerMetrics;
}

/** The sync and unrouted workers, taking jobs at once (the schema is up to date). */
function startWorkers({ config, logger, db, connection, metrics }: Wiring): Running {
  const worker = createSyncWorker({
    db,
    connection,
    prefix: config.queuePrefix,
    concurrency: config.concurrency,
    logger,
    metrics,
    locks: config.locks,
  });
  const unrouted = createUnroutedWorker({ connection, prefix: config.queuePrefix, concurrency: 1, logger });
  const running = { worker, unrouted, active: trackActive(worker) };
  logger.info(
    {
      concurrency: config.concurrency,
      poolSize: config.poolSize,
      adminPort: config.adminPort,
      queuePrefix: config.queuePrefix,
      locks: config.locks,
    },
    'sync-worker started',
  );
  return running;
}

/** The scheduled sweep of Tencent's state (RECONCILE_INTERVAL); undefined when it is off. */
async function startScheduledReconcile({
  config,
  logger,
  db,
  connection,
  metrics,
}: Wiring): Promise<{ close(): Promise<void> } | undefined> {
  if (!config.reconcile) return undefined;
  const { intervalMs, clockMarginMs, apps } = config.reconcile;
  const reconcile = await startReconcile({
    db,
    connection,
    prefix: config.queuePrefix,
    apps,
    intervalMs,
    marginMs: clockMarginMs,
    createSource: (sdkAppId) => createTencentSource(sdkAppId, process.env),
    metrics: new ReconcileMetrics(metrics.registry),
    logger,
  });
  logger.info({ apps, intervalMs }, "reconcile on: a sweep of Tencent's state on this schedule");
  return reconcile;
}

async function main(): Promise<void> {
  const config = loadConfigOrExit('sync-worker', () => loadConfig(process.env));
  const logger = createLogger('sync-worker', config.logLevel);
  const db = createPool(config.databaseUrl, config.dbSchema, config.poolSize);
  // BullMQ workers block on Redis: they need maxRetriesPerRequest null and reconnect for ever
  const connection = new Redis(config.redisUrl, WORKER_REDIS_OPTIONS);
  connection.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  void checkRedisSettingsWhenReady(connection, logger);
  const metrics = new WorkerMetrics();
  const wiring: Wiring = { config, logger, db, connection, metrics };
  // set once the workers run
  const running: { workers?: Running; reconcile?: { close(): Promise<void> } } = {};
  // listening from the start: alive while it waits for PostgreSQL, ready once it takes jobs
  const admin = createWorkerAdmin({
    db,
    connection,
    prefix: config.queuePrefix,
    metrics,
    started: () => running.workers !== undefined,
  });
  admin.server.listen(config.adminPort, config.adminHost);
  await once(admin.server, 'listening');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    await stop(signal, {
      config,
      logger,
      workers: running.workers,
      reconcile: running.reconcile,
      admin,
      db,
      connection,
    });
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  const ran = await migrateWhenReachable(config, logger, () => stopping);
  if (!ran || stopping) return; // stopped while waiting for PostgreSQL
  logger.info(
    { schema: config.dbSchema, migrations: ran },
    ran.length ? 'migrations applied' : 'schema up to date',
  );
  running.workers = startWorkers(wiring);
  running.reconcile = await startScheduledReconcile(wiring);
}

main().catch((err: unknown) => {
  process.stderr.write(`sync-worker: failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
