import http from 'node:http';
import https from 'node:https';

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** Reasons a request got no HTTP answer. */
export class TransportError extends Error {
  override name = 'TransportError';
}

/**
 * POSTs JSON over kept-alive connections (one agent per client). A timeout covers the whole exchange.
 * Errors never carry the URL: its query holds the UserSig.
 */
export class Transport {
  readonly #agent: http.Agent;
  readonly #request: typeof http.request;

  constructor(baseUrl: string) {
    const secure = baseUrl.startsWith('https:');
    this.#agent = secure
      ? new https.Agent({ keepAlive: true, maxSockets: 32 })
      : new http.Agent({ keepAlive: true, maxSockets: 32 });
    this.#request = secure ? https.request : http.request;
  }

  post(url: URL, json: string, timeoutMs: number, signal: AbortSignal): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const payload = Buffer.from(json, 'utf8');
      const req = this.#request(url, {
        method: 'POST',
        agent: this.#agent,
        signal,
        headers: { 'content-type': 'application/json', 'content-length': payload.length },
      });
      const timer = setTimeout(
        () => req.destroy(new TransportError(`no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(new TransportError(`the answer broke off (${err.message})`));
        });
      });
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err instanceof TransportError ? err : new TransportError(describe(err)));
      });
      req.end(payload);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

const describe = (err: Error & { code?: string }): string =>
  err.name === 'AbortError' ? 'aborted' : `${err.code ?? err.name}: ${err.message}`;
