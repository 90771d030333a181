import { createHmac } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';

export interface UserSigInput {
  readonly sdkAppId: number;
  readonly key: string;
  readonly identifier: string;
  /** Seconds of validity. */
  readonly expireSeconds: number;
  /** Unix seconds; default now. */
  readonly time?: number;
}

/** The JSON document inside a UserSig. */
export interface UserSigDoc {
  readonly 'TLS.ver': string;
  readonly 'TLS.identifier': string;
  readonly 'TLS.sdkappid': number;
  readonly 'TLS.time': number;
  readonly 'TLS.expire': number;
  readonly 'TLS.sig': string;
}

/** base64 of HMAC-SHA256(key, the four `TLS.*:` lines), as TLSSigAPIv2 signs. */
export function userSigHmac(
  key: string,
  identifier: string,
  sdkAppId: number,
  time: number,
  expire: number,
): string {
  const content =
    `TLS.identifier:${identifier}\n` +
    `TLS.sdkappid:${sdkAppId}\n` +
    `TLS.time:${time}\n` +
    `TLS.expire:${expire}\n`;
  return createHmac('sha256', key).update(content, 'utf8').digest('base64');
}

/** Tencent's variant of base64: `+` → `*`, `/` → `-`, `=` → `_` (not RFC 4648 base64url). */
const toTencentBase64 = (buf: Buffer): string =>
  buf.toString('base64').replace(/\+/g, '*').replace(/\//g, '-').replace(/=/g, '_');
const fromTencentBase64 = (s: string): Buffer =>
  Buffer.from(s.replace(/_/g, '=').replace(/-/g, '/').replace(/\*/g, '+'), 'base64');

/** A TLSSigAPIv2 UserSig (HMAC-SHA256): JSON, zlib-deflated, in Tencent's base64 variant. */
export function genUserSig(input: UserSigInput): string {
  const time = input.time ?? Math.floor(Date.now() / 1000);
  const doc: UserSigDoc = {
    'TLS.ver': '2.0',
    'TLS.identifier': input.identifier,
    'TLS.sdkappid': input.sdkAppId,
    'TLS.time': time,
    'TLS.expire': input.expireSeconds,
    'TLS.sig': userSigHmac(input.key, input.identifier, input.sdkAppId, time, input.expireSeconds),
  };
  return toTencentBase64(deflateSync(Buffer.from(JSON.stringify(doc), 'utf8')));
}

/** Reverses `genUserSig`'s encoding (it checks nothing: the HMAC is Tencent's to check). */
export function decodeUserSig(userSig: string): UserSigDoc {
  return JSON.parse(inflateSync(fromTencentBase64(userSig)).toString('utf8')) as UserSigDoc;
}
