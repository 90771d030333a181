import type { Endpoint } from './endpoints.js';

/** How the client treats an error code or an HTTP failure. */
export type ErrorClass = 'rate_limit' | 'usersig_expired' | 'transient' | 'auth' | 'fatal';

/** Rate limits: back off with jitter and retry. */
export const RATE_LIMIT_CODES: ReadonlySet<number> = new Set([60007, 60011, 60018, 60019, 10006]);
/** The UserSig expired: renew it and retry once. */
export const USERSIG_EXPIRED_CODE = 70001;
/** Tencent's internal errors and timeouts: retry with backoff. */
export const TRANSIENT_CODES: ReadonlySet<number> = new Set([
  60008, 60013, 60014, 10002, 20004, 20005, 30006, 30007, 40006, 70169, 70500,
]);
/** The secret key, the admin identifier or the SDKAppID was refused: a configuration problem. */
export const AUTH_CODES: ReadonlySet<number> = new Set([
  60004, 60005, 60006, 60010, 70002, 70003, 70005, 70009, 70013, 70014, 70016, 70020, 70050, 70052, 70403,
]);
/** Per-item codes: the group does not exist or was dismissed. */
export const GROUP_GONE_CODE = 10010;
/** Per-item codes meaning "no such account". */
export const NO_SUCH_ACCOUNT_CODES: ReadonlySet<number> = new Set([70107, 40003, 30003, 10019]);

export function classifyCode(code: number): ErrorClass {
  if (RATE_LIMIT_CODES.has(code)) return 'rate_limit';
  if (code === USERSIG_EXPIRED_CODE) return 'usersig_expired';
  if (TRANSIENT_CODES.has(code)) return 'transient';
  if (AUTH_CODES.has(code)) return 'auth';
  return 'fatal';
}

/**
 * A REST call that failed for good: Tencent's code (or the HTTP status / network fault), the endpoint and
 * Tencent's message. Never holds the secret key or the UserSig.
 */
export class TencentApiError extends Error {
  override name = 'TencentApiError';
  constructor(
    message: string,
    /** Tencent's `ErrorCode`; null when no Tencent answer was read (HTTP status, network, bad body). */
    readonly code: number | null,
    readonly endpoint: Endpoint,
    /** Tencent's `ErrorInfo`, or the transport's reason. */
    readonly tencentMessage: string,
    readonly errorClass: ErrorClass,
    /** HTTP status when the failure was an HTTP one. */
    readonly httpStatus: number | null = null,
  ) {
    super(message);
  }

  toJSON() {
    return {
      name: this.name,
      message: this.message,
      code: this.code,
      endpoint: this.endpoint,
      tencentMessage: this.tencentMessage,
      errorClass: this.errorClass,
      httpStatus: this.httpStatus,
    };
  }
}

/** Whether an error is Tencent's "the group does not exist or was dismissed". */
export const isGroupGone = (err: unknown): boolean =>
  err instanceof TencentApiError && err.code === GROUP_GONE_CODE;
