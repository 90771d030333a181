import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  checkRedisSettingsWhenReady,
  createLogger,
  FAIL_FAST_REDIS_OPTIONS,
  loadConfigOrExit,
  waitAtMost,
} from '@imsync/service-kit';
import { createAdminApp } from './admin.js';
import { createApp } from './app.js';
import { loadConfig, type IngestConfig } from './config.js';
import { ConnectionDrain, SETTLE_MAX_MS } from './drain.js';
import { BullEnqueuer } from './enqueuer.js';
import { IngestMetrics } from './metrics.js';

const REDIS_START_WAIT_MS = 5000;
/** Once ingest no longer listens, a connection that carries nothing for this long is closed. */
const IDLE_CLOSE_MS = 1000;

/**
 * Whether Redis is ready within `ms`. Connection errors meanwhile do not end the wait (ioredis reconnects;
 * `events.once` would reject on the first 'error').
 */
async function redisReady(connection: Redis, ms: number): Promise<boolean> {
  if (connection.status === 'ready') return true;
  const ready = new Promise<true>((resolve) => connection.once('ready', () => resolve(true)));
  return (await waitAtMost(ready, ms)) === true;
}

/** Where ingest listens, and whether the dashboard is on. */
function logListening(config: IngestConfig, logger: Logger, dashboardPath: string | undefined): void {
  logger.info(
    {
      port: config.port,
      adminPort: config.adminPort,
      path: config.callbackPath,
      apps: [...config.apps.keys()],
    },
    'ingest listening',
  );
  if (config.dashboard) {
    logger.info(
      {
        url: `http://${config.adminHost}:${config.adminPort}${dashboardPath}`,
        readOnly: config.dashboard.readOnly,
      },
      'Bull dashboard on (HTTP basic auth)',
    );
  } else {
    logger.info('Bull dashboard off: set DASHBOARD_USER and DASHBOARD_PASSWORD to turn it on');
  }
}

/**
 * SIGTERM: not ready at once, so that load balancers stop sending here, but still serving for the drain;
 * every answer closes its connection, so that clients open new ones (elsewhere, once the load balancer
 * took this instance out). Then, once clients stopped reconnecting (see ConnectionDrain.stopListening),
 * no longer listening, and every request already read is answered before Redis is closed.
 */
async function stop(
  signal: string,
  r: {
    readonly config: IngestConfig;
    readonly logger: Logger;
    readonly drain: ConnectionDrain;
    readonly adminServer: Server;
    readonly dashboard: { close(): Promise<void> } | null;
    readonly enqueuer: BullEnqueuer;
    readonly connection: Redis;
  },
): Promise<void> {
  const { config, logger, drain, adminServer, dashboard, enqueuer, connection } = r;
  drain.closeAfterAnswers();
  logger.info(
    { signal, drainMs: config.shutdownDrainMs },
    'stopping: not ready, still serving (answers close their connection) while load balancers stop sending',
  );
  await sleep(config.shutdownDrainMs);
  await drain.stopListening(SETTLE_MAX_MS);
  logger.info(
    { connections: drain.connections, deadlineMs: config.shutdownTimeoutMs },
    'drained: no longer listening, answering the requests already read',
  );
  const { forced } = await drain.finish({ deadlineMs: config.shutdownTimeoutMs, idleMs: IDLE_CLOSE_MS });
  if (forced > 0) {
    logger.warn(
      { connections: forced, deadlineMs: config.shutdownTimeoutMs },
      'SHUTDOWN_TIMEOUT_MS reached: closed the connections still open',
    );
  }
  if (drain.unanswerable > 0) {
    logger.warn(
      { requests: drain.unanswerable },
      'pipelined requests that arrived after their connection’s last answer were not processed',
    );
  }
  adminServer.close();
  adminServer.closeAllConnections();
  await dashboard?.close();
  await enqueuer.close();
  await connection.quit().catch(() => connection.disconnect());
  logger.info('stopped');
  process.exit(0);
}

async function main(): Promise<void> {
  const config = loadConfigOrExit('ingest', () => loadConfig(process.env));
  const logger = createLogger('ingest', config.logLevel);
  const connection = new Redis(config.redisUrl, FAIL_FAST_REDIS_OPTIONS);
  connection.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  void checkRedisSettingsWhenReady(connection, logger);
  const enqueuer = new BullEnqueuer({
    connection,
    prefix: config.queuePrefix,
    timeoutMs: config.enqueueTimeoutMs,
    maxBatch: config.batchMax,
  });
  const metrics = new IngestMetrics();
  const app = createApp({ config, enqueuer, metrics, logger });
  // bull-board, which adds much to ingest's resident memory, is loaded only when the dashboard is on
  const dashboardModule = config.dashboard ? await import('./dashboard.js') : null;
  const dashboard =
    dashboardModule && config.dashboard
      ? dashboardModule.createDashboard({ connection, prefix: config.queuePrefix, ...config.dashboard })
      : null;
  let stopping = false;
  const admin = createAdminApp({
    enqueuer,
    metrics,
    dashboard: dashboard?.middleware,
    stopping: () => stopping,
  });

  // Answer callbacks only once Redis can take them (a callback before that would get 503), but do not
  // wait for ever: liveness and the admin port must come up while Redis is down.
  if (!(await redisReady(connection, REDIS_START_WAIT_MS))) {
    logger.warn(
      { waitedMs: REDIS_START_WAIT_MS },
      'Redis is not reachable yet: listening anyway, callbacks get 503 until it is',
    );
  }
  const server: Server = createServer();
  const drain = new ConnectionDrain(server, app.callback());
  server.listen(config.port, config.host);
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  server.headersTimeout = config.keepAliveTimeoutMs + 5000;
  const adminServer: Server = admin.listen(config.adminPort, config.adminHost);
  await Promise.all([once(server, 'listening'), once(adminServer, 'listening')]);
  logListening(config, logger, dashboardModule?.DASHBOARD_PATH);

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    await stop(signal, { config, logger, drain, adminServer, dashboard, enqueuer, connection });
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`ingest: failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
