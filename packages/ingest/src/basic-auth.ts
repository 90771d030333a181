import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';

export interface BasicAuthOptions {
  readonly user: string;
  readonly password: string;
  readonly realm: string;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** The user and password of an `Authorization: Basic …` header, or null. */
export function parseBasicAuth(header: string | undefined): { user: string; password: string } | null {
  const match = /^Basic\s+([A-Za-z0-9+/=._~-]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * HTTP basic authentication against one user. Both the user and the password are compared in constant
 * time (on their digests, so their lengths leak nothing either); a refusal is 401 with WWW-Authenticate.
 */
export function basicAuth(opts: BasicAuthOptions): Middleware {
  const user = digest(opts.user);
  const password = digest(opts.password);
  const challenge = `Basic realm="${opts.realm.replace(/"/g, '')}", charset="UTF-8"`;
  return async (ctx, next) => {
    const given = parseBasicAuth(ctx.get('authorization'));
    // evaluate both comparisons whatever the first says
    const userOk = given !== null && timingSafeEqual(digest(given.user), user);
    const passwordOk = given !== null && timingSafeEqual(digest(given.password), password);
    if (!(userOk && passwordOk)) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', challenge);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { error: 'authentication required' };
      return;
    }
    await next();
  };
}
