import { parse, type ParsedUrlQuery } from 'node:querystring';
import type { Middleware } from 'koa';
import { verifySignature } from '@imsync/callbacks';
import type { AppCredentials } from '../config.js';
import { Rejection } from '../errors.js';

export interface AuthState {
  sdkAppId: number;
  receivedAt: number;
  /** The query string, parsed once with node's `querystring` (cheaper than Koa's `ctx.query`). */
  query: ParsedUrlQuery;
}

export interface AuthOptions {
  readonly apps: ReadonlyMap<number, AppCredentials>;
  readonly signMaxSkewSeconds: number;
  readonly now?: () => number;
}

/**
 * `SdkAppid` must be a configured app (403); when the app has a token, `Sign` and `RequestTime` must be
 * present, `Sign` must match in constant time and `RequestTime` be within the allowed skew (401). The
 * caller learns only "authentication failed"; the reason goes to the log.
 */
export function authenticate(opts: AuthOptions): Middleware<AuthState> {
  const now = opts.now ?? Date.now;
  return async (ctx, next) => {
    const receivedAt = now();
    // `SdkAppid` as Tencent's IM docs write it; the Live-room docs write `SdkAppId`.
    const query = parse(ctx.querystring);
    const raw = query.SdkAppid ?? query.SdkAppId;
    const id = typeof raw === 'string' && /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
    const app = opts.apps.get(id);
    if (!app)
      throw new Rejection(
        'unknownApp',
        undefined,
        `SdkAppid ${JSON.stringify(raw ?? null)} is not configured`,
      );
    if (app.tokens.length > 0) {
      const sign = query.Sign;
      const time = query.RequestTime;
      const check = verifySignature(
        app.tokens,
        typeof sign === 'string' ? sign : undefined,
        typeof time === 'string' ? time : undefined,
        receivedAt,
        opts.signMaxSkewSeconds,
      );
      if (!check.ok) throw new Rejection('unauthenticated', undefined, check.reason);
    }
    ctx.state.sdkAppId = id;
    ctx.state.receivedAt = receivedAt;
    ctx.state.query = query;
    await next();
  };
}
