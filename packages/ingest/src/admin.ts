import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import type { Enqueuer } from './enqueuer.js';
import type { IngestMetrics } from './metrics.js';

export interface AdminDeps {
  readonly enqueuer: Pick<Enqueuer, 'isReady'>;
  readonly metrics: IngestMetrics;
  /** The Bull dashboard (see dashboard.ts); absent when it is off, so its path answers 404. */
  readonly dashboard?: Middleware | null;
  /** True once SIGTERM arrived: /readyz answers 503 so that load balancers stop sending. */
  readonly stopping?: () => boolean;
}

/** The admin app: liveness, readiness (Redis answers), Prometheus metrics and the Bull dashboard. */
export function createAdminApp(deps: AdminDeps): Koa {
  const app = new Koa();
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    if (deps.stopping?.()) {
      ctx.status = 503;
      ctx.body = { status: 'stopping' };
      return;
    }
    const redis = await deps.enqueuer.isReady();
    ctx.status = redis ? 200 : 503;
    ctx.body = { status: redis ? 'ready' : 'not ready', redis };
  });
  router.get('/metrics', async (ctx) => {
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });
  if (deps.dashboard) app.use(deps.dashboard);
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
