import { once } from 'node:events';
import { Redis } from 'ioredis';
import { createWorkerAdmin } from './admin.js';
import { ConfigError, loadConfig, type WorkerConfig } from './config.js';
import { createPool, migrate } from './db.js';
import { createLogger } from './logger.js';
import { WorkerMetrics } from './metrics.js';
import { createSyncWorker, createUnroutedWorker } from './worker.js';

function readConfig(): WorkerConfig {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`sync-worker: configuration error: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger('sync-worker', config.logLevel);
  const ran = await migrate(config.databaseUrl, config.dbSchema, (msg) => logger.debug(msg));
  logger.info({ schema: config.dbSchema, migrations: ran }, ran.length ? 'migrations applied' : 'schema up to date');

  const db = createPool(config.databaseUrl, config.dbSchema, config.poolSize);
  // BullMQ workers block on Redis: they need maxRetriesPerRequest null and reconnect for ever
  const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  connection.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  const metrics = new WorkerMetrics();
  const worker = createSyncWorker({
    db,
    connection,
    prefix: config.queuePrefix,
    concurrency: config.concurrency,
    logger,
    metrics,
  });
  const unrouted = createUnroutedWorker({ connection, prefix: config.queuePrefix, concurrency: 1, logger });
  const admin = createWorkerAdmin({ db, connection, prefix: config.queuePrefix, metrics });
  admin.server.listen(config.adminPort, config.adminHost);
  await once(admin.server, 'listening');
  logger.info({ concurrency: config.concurrency, poolSize: config.poolSize, adminPort: config.adminPort }, 'sync-worker started');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, deadlineMs: config.shutdownTimeoutMs }, 'stopping: no new jobs, finishing active ones');
    const graceful = Promise.all([worker.close(), unrouted.close()]);
    const deadline = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), config.shutdownTimeoutMs).unref());
    if ((await Promise.race([graceful, deadline])) === 'timeout') {
      // the unfinished jobs' locks lapse and another worker retries them: nothing is lost
      logger.warn('deadline passed with jobs still active: closing anyway');
      await Promise.allSettled([worker.close(true), unrouted.close(true)]);
    }
    await admin.close();
    await db.end();
    await connection.quit().catch(() => connection.disconnect());
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`sync-worker: failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
