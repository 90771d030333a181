import { createHash } from 'node:crypto';

/** Tencent's Sign, computed here independently of the code under test: hex(sha256(token + RequestTime)). */
export const tencentSign = (token: string, requestTime: string): string =>
  createHash('sha256')
    .update(token + requestTime)
    .digest('hex');

export interface CallbackQuery {
  sdkAppId: number | string;
  command: string;
  clientIp?: string;
  optPlatform?: string;
  /** Signs the query with this token (Sign and RequestTime). */
  token?: string;
  requestTime?: number;
}

/** The query string Tencent appends to the callback URL. */
export function callbackQuery(q: CallbackQuery): string {
  const p = new URLSearchParams({
    SdkAppid: String(q.sdkAppId),
    CallbackCommand: q.command,
    contenttype: 'json',
  });
  if (q.clientIp !== undefined) p.set('ClientIP', q.clientIp);
  if (q.optPlatform !== undefined) p.set('OptPlatform', q.optPlatform);
  if (q.token !== undefined) {
    const t = String(q.requestTime ?? Math.floor(Date.now() / 1000));
    p.set('Sign', tencentSign(q.token, t));
    p.set('RequestTime', t);
  }
  return p.toString();
}
