import Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import type { Enqueuer } from './enqueuer.js';
import { Rejection } from './errors.js';
import type { IngestMetrics } from './metrics.js';
import { authenticate, type AuthState } from './middleware/authenticate.js';
import { jsonBody } from './middleware/body.js';
import { errorMiddleware } from './middleware/errors.js';
import { handleCallback } from './routes/callback.js';
import type { IngestConfig } from './config.js';

export interface AppDeps {
  readonly config: Pick<
    IngestConfig,
    | 'apps'
    | 'callbackPath'
    | 'signMaxSkewSeconds'
    | 'bodyLimitBytes'
    | 'dedupeWindowMs'
    | 'dedupeWindowNoEventTimeMs'
    | 'unroutedEnabled'
  >;
  readonly enqueuer: Enqueuer;
  readonly metrics: IngestMetrics;
  readonly logger: Logger;
  readonly now?: () => number;
}

/**
 * The public app: only the callback path, POST only. Authentication comes before the body is read;
 * every answer is Tencent-shaped JSON. Never listens or connects by itself.
 */
export function createApp(deps: AppDeps): Koa {
  const { config, metrics } = deps;
  const app = new Koa();
  app.silent = true; // errors are logged once, by the error middleware

  app.use(errorMiddleware(deps.logger, metrics));

  // exactly CALLBACK_PATH: case-sensitive, no trailing slash
  const router = new Router<AuthState>({ sensitive: true, strict: true });
  router.post(
    config.callbackPath,
    authenticate({ apps: config.apps, signMaxSkewSeconds: config.signMaxSkewSeconds, now: deps.now }),
    jsonBody(config.bodyLimitBytes),
    handleCallback({
      enqueuer: deps.enqueuer,
      metrics,
      logger: deps.logger,
      dedupeWindowMs: config.dedupeWindowMs,
      dedupeWindowNoEventTimeMs: config.dedupeWindowNoEventTimeMs,
      unroutedEnabled: config.unroutedEnabled,
    }),
  );
  router.all(config.callbackPath, (ctx) => {
    ctx.set('Allow', 'POST');
    throw new Rejection('methodNotAllowed', undefined, `method ${ctx.method}`);
  });
  app.use(router.routes());
  app.use(() => {
    throw new Rejection('notFound');
  });
  return app;
}
