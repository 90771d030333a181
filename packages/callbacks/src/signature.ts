import { hash, timingSafeEqual } from 'node:crypto';

/** The bytes of `sha256(token + RequestTime)`, whose hex is the `Sign`. */
function signDigest(token: string, requestTime: string): Buffer {
  return hash('sha256', token + requestTime, 'buffer');
}

/** `Sign = hex(sha256(token + RequestTime))`, as Tencent computes it for callback authentication. */
export function computeSign(token: string, requestTime: string): string {
  return signDigest(token, requestTime).toString('hex');
}

/** 64 hex digits: a sha256 in hex, either case. */
const SIGN_FORMAT = /^[0-9a-fA-F]{64}$/;

/** Compares a received `Sign` with the expected one in constant time (case-insensitive hex). */
export function signMatches(token: string, requestTime: string, sign: string): boolean {
  // Buffer.from(…, 'hex') stops silently at the first non-hex digit: the format is checked first
  if (!SIGN_FORMAT.test(sign)) return false;
  return timingSafeEqual(Buffer.from(sign, 'hex'), signDigest(token, requestTime));
}

export type SignatureCheck =
  | { ok: true; token: 0 | 1 }
  | {
      ok: false;
      reason: 'missing Sign or RequestTime' | 'malformed RequestTime' | 'stale RequestTime' | 'Sign mismatch';
    };

/**
 * Checks `Sign` and `RequestTime` against an app's tokens (the current one first, then the previous one
 * while a token is being rotated). `RequestTime` is Unix seconds and must be within `maxSkewSeconds` of
 * the current second (whole seconds on both sides, so the window is as wide in the past as in the future).
 */
export function verifySignature(
  tokens: readonly string[],
  sign: string | undefined,
  requestTime: string | undefined,
  nowMs: number,
  maxSkewSeconds: number,
): SignatureCheck {
  if (!sign || !requestTime) return { ok: false, reason: 'missing Sign or RequestTime' };
  if (!/^\d{1,12}$/.test(requestTime)) return { ok: false, reason: 'malformed RequestTime' };
  if (Math.abs(Math.floor(nowMs / 1000) - Number(requestTime)) > maxSkewSeconds)
    return { ok: false, reason: 'stale RequestTime' };
  for (let i = 0; i < tokens.length; i++) {
    if (signMatches(tokens[i]!, requestTime, sign)) return { ok: true, token: i as 0 | 1 };
  }
  return { ok: false, reason: 'Sign mismatch' };
}
