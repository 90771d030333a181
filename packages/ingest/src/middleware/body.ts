import type { Middleware } from 'koa';
import bodyParser from 'koa-bodyparser';
import { Rejection } from '../errors.js';

interface ParseError {
  status?: number;
  message?: string;
}

/**
 * What the body parser threw, as a refusal when it is the body's encoding: a Content-Encoding the parser
 * does not decode is 415 (unsupportedEncoding); a body that fails to decode as its Content-Encoding says
 * (labelled gzip or br but not compressed, truncated) is 400 (undecodableBody). Anything else goes on to
 * the error middleware as thrown.
 */
function encodingRejection(err: unknown, encoding: string): unknown {
  const e = err as ParseError | null;
  if (e?.status === 415 && /Content-Encoding/i.test(e.message ?? ''))
    return new Rejection('unsupportedEncoding', `Content-Encoding ${JSON.stringify(encoding)}`, e.message);
  const decoding = encoding !== '' && encoding !== 'identity';
  if (decoding && (e?.status === undefined || e.status >= 500))
    return new Rejection('undecodableBody', `Content-Encoding ${JSON.stringify(encoding)}`, e?.message);
  return err;
}

/**
 * Reads the body as JSON whatever its Content-Type (Tencent may send none), decoded as its Content-Encoding
 * says (identity, gzip, deflate or br, compared case-insensitively), up to `limitBytes` once decoded.
 */
export function jsonBody(limitBytes: number): Middleware {
  const parse = bodyParser({
    enableTypes: ['json'],
    detectJSON: () => true,
    jsonLimit: `${limitBytes}b`,
    strict: true,
    onerror: (err, ctx) => {
      throw encodingRejection(err, ctx.get('Content-Encoding'));
    },
  });
  return (ctx, next) => {
    // content codings are case-insensitive (RFC 9110); the parser compares them as sent
    const encoding = ctx.req.headers['content-encoding'];
    if (encoding !== undefined) ctx.req.headers['content-encoding'] = encoding.trim().toLowerCase();
    return parse(ctx, next);
  };
}
