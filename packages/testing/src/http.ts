import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

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

/**
 * POSTs each body (JSON text) on a connection of its own to 127.0.0.1:`port`, every request written in one
 * event-loop turn, so that they reach the server together as under load. Resolves with the parsed answers.
 */
export async function postTogether(
  port: number,
  path: string,
  bodies: readonly string[],
): Promise<unknown[]> {
  const sockets: Socket[] = [];
  try {
    for (const _ of bodies) {
      const socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
      sockets.push(socket);
    }
    const answers = sockets.map(
      (socket) =>
        new Promise<unknown>((resolve, reject) => {
          let text = '';
          socket.setEncoding('utf8');
          socket.on('data', (chunk: string) => {
            text += chunk;
            if (!text.includes('"ErrorCode"')) return;
            try {
              resolve(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)));
            } catch (err) {
              reject(err as Error);
            }
          });
          socket.on('error', reject);
          socket.on('close', () => reject(new Error(`the connection closed before an answer: ${text}`)));
        }),
    );
    sockets.forEach((socket, i) =>
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(bodies[i]!)}\r\n\r\n${bodies[i]}`,
      ),
    );
    return await Promise.all(answers);
  } finally {
    for (const socket of sockets) socket.destroy();
  }
}
