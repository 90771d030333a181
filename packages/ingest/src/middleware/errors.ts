import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { rejectionAnswer, type RejectionReason } from '@imsync/callbacks';
import { QueueUnavailableError } from '../enqueuer.js';
import { Rejection } from '../errors.js';
import type { IngestMetrics } from '../metrics.js';

interface HttpishError {
  status?: number;
  type?: string;
  message?: string;
}

/** An error JavaScript throws for a bug or for data it cannot handle (a body that cannot be serialised …). */
const isFaultOfCode = (err: unknown): boolean =>
  err instanceof TypeError ||
  err instanceof RangeError ||
  err instanceof SyntaxError ||
  err instanceof ReferenceError;

/** Maps what koa-bodyparser and Koa throw onto the contract's reasons. */
function toRejection(err: unknown): Rejection | null {
  if (err instanceof Rejection) return err;
  if (err instanceof QueueUnavailableError) {
    // 503 says "Redis did not take it, retry": never for a fault of the job itself, which no retry mends
    return isFaultOfCode(err.cause) ? null : new Rejection('queueUnavailable', undefined, err.message);
  }
  const e = err as HttpishError;
  if (e?.status === 413 || e?.type === 'entity.too.large') return new Rejection('tooLarge');
  if (e?.status === 400 && (e.type === 'entity.parse.failed' || /JSON|Unexpected/i.test(e.message ?? ''))) {
    return new Rejection('malformedJson', undefined, e.message);
  }
  if (e?.status === 400 || e?.status === 415) return new Rejection('malformedJson', undefined, e.message);
  return null;
}

/**
 * The one error middleware, first in the chain: every refusal becomes a Tencent-shaped FAIL answer with
 * its HTTP status and ErrorCode, logged once with its reason; anything unexpected is a generic 500. It
 * also times every answer, OK or not, for the ack latency histogram.
 */
export function errorMiddleware(logger: Logger, metrics: IngestMetrics): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } catch (err) {
      const rejection = toRejection(err);
      const reason: RejectionReason = rejection?.reason ?? 'internal';
      const fields = {
        reason,
        sdkAppId: ctx.query.SdkAppid ?? ctx.query.SdkAppId,
        command: ctx.query.CallbackCommand,
        clientIp: ctx.query.ClientIP,
        status: rejection?.status ?? 500,
      };
      if (rejection) {
        logger.warn(
          { ...fields, detail: rejection.logDetail ?? rejection.detail },
          `rejected: ${rejection.message}`,
        );
      } else {
        logger.error({ ...fields, err }, 'unexpected error');
      }
      metrics.rejected(ctx.query.CallbackCommand, reason);
      ctx.status = rejection?.status ?? 500;
      ctx.body = rejectionAnswer(reason, rejection?.detail);
    }
    metrics.answered(ctx.status === 200, (performance.now() - started) / 1000);
  };
}
