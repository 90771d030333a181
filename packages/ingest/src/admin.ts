import Router from '@koa/router';
import Koa from 'koa';
import type { Enqueuer } from './enqueuer.js';
import type { IngestMetrics } from './metrics.js';

export interface AdminDeps {
  readonly enqueuer: Pick<Enqueuer, 'isReady'>;
  readonly metrics: IngestMetrics;
}

/** The admin app: liveness, readiness (Redis answers) and Prometheus metrics. */
export function createAdminApp(deps: AdminDeps): Koa {
  const app = new Koa();
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const redis = await deps.enqueuer.isReady();
    ctx.status = redis ? 200 : 503;
    ctx.body = { status: redis ? 'ready' : 'not ready', redis };
  });
  router.get('/metrics', async (ctx) => {
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
