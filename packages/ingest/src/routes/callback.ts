import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import {
  eventKeyOf,
  InvalidCallbackError,
  isSyncedCommand,
  lookupCommand,
  normalizePlatform,
  okAnswer,
  validateBody,
  validateUnroutedBody,
  type SyncJobData,
} from '@imsync/callbacks';
import type { Enqueuer } from '../enqueuer.js';
import { Rejection } from '../errors.js';
import type { IngestMetrics } from '../metrics.js';
import type { AuthState } from '../middleware/authenticate.js';

export interface CallbackDeps {
  readonly enqueuer: Enqueuer;
  readonly metrics: IngestMetrics;
  readonly logger: Logger;
  readonly dedupeWindowMs: number;
  readonly dedupeWindowNoEventTimeMs: number;
  readonly unroutedEnabled: boolean;
}

const single = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** A value of the body shown in an answer: a string as sent (cut when long), anything else by its type. */
function shown(value: unknown): string {
  if (typeof value === 'string') return value.length > 100 ? `${value.slice(0, 100)}…` : value;
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

/** Runs a contract check: its InvalidCallbackError becomes a 400 naming every failing field. */
function check(validate: () => void): void {
  try {
    validate();
  } catch (err) {
    if (err instanceof InvalidCallbackError) throw new Rejection('invalidBody', err.errors.join('; '));
    throw err;
  }
}

/**
 * Routes an authenticated, parsed callback on its query `CallbackCommand`: synced after-callbacks are
 * validated and enqueued, before-callbacks are allowed at once, everything else is kept on the unrouted
 * queue. OK is answered only once Redis has accepted the job.
 */
export function handleCallback(deps: CallbackDeps): Middleware<AuthState> {
  return async (ctx) => {
    // koa-bodyparser turns an empty body into {}: it is no JSON at all
    if (!ctx.request.rawBody?.trim()) throw new Rejection('malformedJson', 'the body is empty');
    const { query } = ctx.state;
    const command = single(query.CallbackCommand)?.trim();
    if (!command) throw new Rejection('missingCommand');
    const body: unknown = ctx.request.body;
    const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
    const bodyCommand = isObject ? (body as Record<string, unknown>).CallbackCommand : undefined;
    if (bodyCommand !== undefined && bodyCommand !== command) {
      throw new Rejection('commandMismatch', `query says ${command}, body says ${shown(bodyCommand)}`);
    }
    const { sdkAppId, receivedAt } = ctx.state;
    const entry = lookupCommand(command);

    if (isSyncedCommand(command)) {
      if (!isObject) throw new Rejection('invalidBody', 'the body must be a JSON object');
      check(() => validateBody(command, body));
      const data: SyncJobData = {
        v: 1,
        sdkAppId,
        command,
        clientIp: single(query.ClientIP) || null,
        optPlatform: normalizePlatform(single(query.OptPlatform)),
        receivedAt,
        eventKey: eventKeyOf(sdkAppId, command, ctx.request.rawBody ?? ''),
        body: body as Record<string, unknown>,
      };
      // A valid body's EventTime is absent from the normalised event exactly when it is absent from the body.
      const window =
        (body as { EventTime?: unknown }).EventTime === undefined
          ? deps.dedupeWindowNoEventTimeMs
          : deps.dedupeWindowMs;
      const started = performance.now();
      const { duplicate } = await deps.enqueuer.enqueueSync(command, data, window);
      deps.metrics.enqueued('sync', (performance.now() - started) / 1000);
      deps.metrics.accepted(command, duplicate ? 'duplicate' : 'enqueued');
    } else if (entry?.kind === 'before') {
      // A before-callback asks for a decision; imsync does not moderate, so it allows at once.
      deps.metrics.accepted(command, 'allowed');
    } else if (deps.unroutedEnabled) {
      // kept as sent: it must survive the queue and the dashboard unchanged (the contract's queue rules)
      check(() => validateUnroutedBody(body));
      const started = performance.now();
      await deps.enqueuer.enqueueUnrouted(command, {
        sdkAppId,
        command,
        query: Object.fromEntries(
          Object.entries(query)
            .filter(([k]) => k !== 'Sign')
            .map(([k, v]) => [k, single(v) ?? '']),
        ),
        receivedAt,
        body,
      });
      deps.metrics.enqueued('unrouted', (performance.now() - started) / 1000);
      deps.metrics.accepted(command, 'unrouted');
    } else {
      deps.logger.info({ sdkAppId, command }, 'not synced and the unrouted queue is off: dropped');
      deps.metrics.accepted(command, 'dropped');
    }
    ctx.status = 200;
    ctx.body = okAnswer();
  };
}
