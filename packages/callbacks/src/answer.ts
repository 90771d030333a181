/** The body Tencent expects from every callback: `{ActionStatus, ErrorInfo, ErrorCode}`. */
export interface Answer {
  readonly ActionStatus: 'OK' | 'FAIL';
  readonly ErrorInfo: string;
  readonly ErrorCode: number;
}

/**
 * Why imsync refused a request: HTTP status and the ErrorCode it answers (five digits, the first three
 * are the HTTP status). docs/answers.md lists them.
 */
export const REJECTIONS = {
  malformedJson: { status: 400, code: 40001, info: 'body is not valid JSON' },
  missingCommand: { status: 400, code: 40002, info: 'CallbackCommand is missing from the query string' },
  commandMismatch: { status: 400, code: 40003, info: "the body's CallbackCommand differs from the query's" },
  invalidBody: { status: 400, code: 40004, info: 'invalid body' },
  undecodableBody: {
    status: 400,
    code: 40005,
    info: 'the body could not be decoded as its Content-Encoding says',
  },
  unauthenticated: { status: 401, code: 40101, info: 'authentication failed' },
  unknownApp: { status: 403, code: 40301, info: 'unknown SdkAppid' },
  notFound: { status: 404, code: 40401, info: 'not found' },
  methodNotAllowed: { status: 405, code: 40501, info: 'method not allowed: use POST' },
  tooLarge: { status: 413, code: 41301, info: 'body too large' },
  unsupportedEncoding: {
    status: 415,
    code: 41501,
    info: 'unsupported Content-Encoding: send identity, gzip, deflate or br',
  },
  internal: { status: 500, code: 50001, info: 'internal error' },
  queueUnavailable: { status: 503, code: 50301, info: 'queue unavailable, not accepted: retry later' },
} as const satisfies Record<string, { status: number; code: number; info: string }>;

export type RejectionReason = keyof typeof REJECTIONS;

const OK: Answer = Object.freeze({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });

/** The OK answer; for a before-callback, ErrorCode 0 means "allow". */
export function okAnswer(): Answer {
  return OK;
}

export function failAnswer(errorCode: number, errorInfo: string): Answer {
  return { ActionStatus: 'FAIL', ErrorInfo: errorInfo, ErrorCode: errorCode };
}

/** The FAIL answer of a rejection, with an optional detail appended to its text. */
export function rejectionAnswer(reason: RejectionReason, detail?: string): Answer {
  const r = REJECTIONS[reason];
  return failAnswer(r.code, detail ? `${r.info}: ${detail}` : r.info);
}
