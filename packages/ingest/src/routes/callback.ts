import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import {
  eventKeyOf,
  InvalidCallbackError,
  isBeforeCallback,
  isSyncedCommand,
  normalizePlatform,
  okAnswer,
  validateBody,
  validateUnroutedBody,
  type SyncedCommand,
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

/** The command and body of a callback, once the request itself is known to be one. */
interface Callback {
  readonly command: string;
  readonly body: unknown;
  readonly isObject: boolean;
}

/** The request's own checks: a body, a command in the query, and the same command in the body if it says one. */
function readCallback(rawBody: string | undefined, query: AuthState['query'], body: unknown): Callback {
  // koa-bodyparser turns an empty body into {}: it is no JSON at all
  if (!rawBody?.trim()) throw new Rejection('malformedJson', 'the body is empty');
  const command = single(query.CallbackCommand)?.trim();
  if (!command) throw new Rejection('missingCommand');
  const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
  const bodyCommand = isObject ? (body as Record<string, unknown>).CallbackCommand : undefined;
  if (bodyCommand !== undefined && bodyCommand !== command) {
    throw new Rejection('commandMismatch', `query says ${command}, body says ${shown(bodyCommand)}`);
  }
  return { command, body, isObject };
}

/** The job envelope of a synced callback: the body as sent, with what the query and ingest add to it. */
function syncJobOf(
  state: AuthState,
  command: SyncedCommand,
  body: Record<string, unknown>,
  rawBody: string,
): SyncJobData {
  return {
    v: 1,
    sdkAppId: state.sdkAppId,
    command,
    clientIp: single(state.query.ClientIP) || null,
    optPlatform: normalizePlatform(single(state.query.OptPlatform)),
    receivedAt: state.receivedAt,
    eventKey: eventKeyOf(state.sdkAppId, command, rawBody),
    body,
  };
}

/**
 * A synced callback: validated against its schema, then enqueued with its dedupe window (the one for bodies
 * without `EventTime` when it has none).
 */
async function acceptSynced(
  deps: CallbackDeps,
  state: AuthState,
  command: SyncedCommand,
  cb: Callback,
  rawBody: string,
): Promise<void> {
  if (!cb.isObject) throw new Rejection('invalidBody', 'the body must be a JSON object');
  check(() => validateBody(command, cb.body));
  const body = cb.body as Record<string, unknown>;
  // A valid body's EventTime is absent from the normalised event exactly when it is absent from the body.
  const window = body.EventTime === undefined ? deps.dedupeWindowNoEventTimeMs : deps.dedupeWindowMs;
  const started = performance.now();
  const { duplicate } = await deps.enqueuer.enqueueSync(
    command,
    syncJobOf(state, command, body, rawBody),
    window,
  );
  deps.metrics.enqueued('sync', (performance.now() - started) / 1000);
  deps.metrics.accepted(command, duplicate ? 'duplicate' : 'enqueued');
}

/** A callback imsync does not sync: the whole request but its `Sign`, kept on the unrouted queue. */
async function acceptUnrouted(deps: CallbackDeps, state: AuthState, cb: Callback): Promise<void> {
  // kept as sent: it must survive the queue and the dashboard unchanged (the contract's queue rules)
  check(() => validateUnroutedBody(cb.body));
  const query = Object.fromEntries(
    Object.entries(state.query)
      .filter(([k]) => k !== 'Sign')
      .map(([k, v]) => [k, single(v) ?? '']),
  );
  const started = performance.now();
  await deps.enqueuer.enqueueUnrouted(cb.command, {
    sdkAppId: state.sdkAppId,
    command: cb.command,
    query,
    receivedAt: state.receivedAt,
    body: cb.body,
  });
  deps.metrics.enqueued('unrouted', (performance.now() - started) / 1000);
  deps.metrics.accepted(cb.command, 'unrouted');
}

/**
 * Routes an authenticated, parsed callback on its query `CallbackCommand`: synced after-callbacks are
 * validated and enqueued, before-callbacks are allowed at once, everything else is kept on the unrouted
 * queue. OK is answered only once Redis has accepted the job.
 */
export function handleCallback(deps: CallbackDeps): Middleware<AuthState> {
  return async (ctx) => {
    const rawBody = ctx.request.rawBody;
    const cb = readCallback(rawBody, ctx.state.query, ctx.request.body);
    const { command } = cb;
    if (isSyncedCommand(command)) {
      await acceptSynced(deps, ctx.state, command, cb, rawBody ?? '');
    } else if (isBeforeCallback(command)) {
      // A before-callback asks for a decision; imsync does not moderate, so it allows at once.
      deps.metrics.accepted(command, 'allowed');
    } else if (deps.unroutedEnabled) {
      await acceptUnrouted(deps, ctx.state, cb);
    } else {
      deps.logger.info(
        { sdkAppId: ctx.state.sdkAppId, command },
        'not synced and the unrouted queue is off: dropped',
      );
      deps.metrics.accepted(command, 'dropped');
    }
    ctx.status = 200;
    ctx.body = okAnswer();
  };
}
