import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inflateSync } from 'node:zlib';
import { FakeError, HANDLERS, type HandlerOptions } from './handlers.js';
import { FakeAppState } from './state.js';

export interface FakeTencentOptions {
  readonly sdkAppId: number;
  /** The app's secret key: UserSigs are checked against it. */
  readonly secretKey: string;
  /** App admin accounts (the `identifier` must be one). Default `['administrator']`. */
  readonly admins?: readonly string[];
  /** Calls per second allowed per endpoint (a sliding second); more answer 60018. Default: no limit. */
  readonly rateLimit?: number | Readonly<Record<string, number>>;
  readonly friendPageSize?: number;
  readonly state?: FakeAppState;
}

/** A fault the next matching request gets instead of its answer. */
export interface Fault {
  /** A command (`'get_group_info'`) or path; default any. */
  readonly endpoint?: string;
  /** Answer this HTTP status (with a plain-text body). */
  readonly httpStatus?: number;
  /** Or answer this Tencent error code. */
  readonly code?: number;
  readonly info?: string;
}

export interface FakeCall {
  readonly endpoint: string;
  readonly code: number;
  readonly httpStatus: number;
  readonly body: unknown;
}

/** Tencent's error texts for the codes the fake answers on its own. */
const INFO: Record<number, string> = {
  60002: 'HTTP parse error',
  60003: 'request JSON parse error',
  60009: 'wrong resource',
  60010: 'the request requires App admin permissions',
  60018: 'requests too frequent, retry later',
  70001: 'UserSig expired',
  70002: 'UserSig is empty',
  70003: 'UserSig check failed',
  70013: 'identifier in the URL does not match the UserSig',
  70014: 'SDKAppID in the URL does not match the UserSig',
  70020: 'SDKAppID not found',
};

/**
 * A fake of Tencent IM's server REST API on 127.0.0.1, serving one app's state (`state`). It checks the
 * query string and the UserSig (HMAC-SHA256 with its own key, identifier, SDKAppID, expiry), pages as
 * Tencent does, answers per-item errors, and 60018 above `rateLimit`. Tests can inject faults, expire every
 * UserSig seen so far, and mutate `state` between calls.
 */
export class FakeTencent {
  readonly state: FakeAppState;
  readonly calls: FakeCall[] = [];
  /** `TLS.time` of every distinct UserSig accepted. */
  readonly signatureTimes = new Set<number>();
  #faults: Fault[] = [];
  #expired = new Set<string>();
  #seen = new Set<string>();
  #recent = new Map<string, number[]>();
  #options: FakeTencentOptions & HandlerOptions;

  private constructor(
    private readonly server: http.Server,
    options: FakeTencentOptions,
  ) {
    this.state = options.state ?? new FakeAppState();
    this.#options = { friendPageSize: 100, ...options };
  }

  static async start(options: FakeTencentOptions): Promise<FakeTencent> {
    const server = http.createServer({ keepAliveTimeout: 5000 });
    const fake = new FakeTencent(server, options);
    server.on('request', (req, res) => fake.#serve(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** `http://127.0.0.1:<port>`: the client's `IM_API_BASE_URL`. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next matching requests get these faults, in order. */
  injectFaults(...faults: Fault[]): void {
    this.#faults.push(...faults);
  }

  /** A rate-limit storm: the next `count` requests (to `endpoint`, or any) answer 60018. */
  rateLimitStorm(count: number, endpoint?: string): void {
    for (let i = 0; i < count; i++) this.#faults.push({ code: 60018, ...(endpoint ? { endpoint } : {}) });
  }

  setRateLimit(rateLimit: FakeTencentOptions['rateLimit']): void {
    this.#options = { ...this.#options, rateLimit };
  }

  /** Every UserSig accepted so far answers 70001 from now on (as when their validity runs out). */
  expireSignatures(): void {
    for (const sig of this.#seen) this.#expired.add(sig);
  }

  /** Calls by command name, with their ErrorCode. */
  countCalls(endpoint?: string, code?: number): number {
    return this.calls.filter(
      (c) => (endpoint === undefined || c.endpoint === endpoint) && (code === undefined || c.code === code),
    ).length;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  #serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const path = url.pathname.replace(/^\/v4\//, '');
      const endpoint = path.split('/').pop() ?? '';
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = undefined;
      const answer = (status: number, payload: Record<string, unknown> | string) => {
        const code = typeof payload === 'string' ? -1 : (payload.ErrorCode as number);
        this.calls.push({ endpoint, code, httpStatus: status, body });
        res.writeHead(status, {
          'content-type': typeof payload === 'string' ? 'text/plain' : 'application/json',
        });
        res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
      };
      const fail = (code: number, info = INFO[code] ?? 'error') =>
        answer(200, { ActionStatus: 'FAIL', ErrorCode: code, ErrorInfo: info });
      try {
        body = JSON.parse(text);
      } catch {
        return fail(60003);
      }
      if (req.method !== 'POST' || url.searchParams.get('contenttype') !== 'json') return fail(60002);
      const authError = this.#authenticate(url.searchParams);
      if (authError) return fail(authError);
      const faultAt = this.#faults.findIndex(
        (f) => f.endpoint === undefined || f.endpoint === endpoint || f.endpoint === path,
      );
      if (faultAt >= 0) {
        const [fault] = this.#faults.splice(faultAt, 1);
        if (fault!.httpStatus) return answer(fault!.httpStatus, 'fault injected');
        return fail(fault!.code ?? 10002, fault!.info);
      }
      if (this.#overLimit(path)) return fail(60018);
      const handler = HANDLERS[path];
      if (!handler) return fail(60009);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail(60003);
      try {
        answer(200, {
          ActionStatus: 'OK',
          ErrorCode: 0,
          ErrorInfo: '',
          ...handler(this.state, body as Record<string, unknown>, this.#options),
        });
      } catch (err) {
        if (err instanceof FakeError) return fail(err.code, err.info);
        answer(500, String(err));
      }
    });
  }

  /** 0 when the query string and UserSig are good, else Tencent's code. */
  #authenticate(q: URLSearchParams): number {
    const sdkAppId = Number(q.get('sdkappid'));
    if (sdkAppId !== this.#options.sdkAppId) return 70020;
    const random = Number(q.get('random') ?? NaN);
    if (!Number.isInteger(random) || random < 0 || random > 4294967295) return 60002;
    const identifier = q.get('identifier') ?? '';
    const sig = q.get('usersig') ?? '';
    if (!sig) return 70002;
    let doc: Record<string, unknown>;
    try {
      const raw = Buffer.from(sig.replace(/_/g, '=').replace(/-/g, '/').replace(/\*/g, '+'), 'base64');
      doc = JSON.parse(inflateSync(raw).toString('utf8')) as Record<string, unknown>;
    } catch {
      return 70003;
    }
    const { 'TLS.identifier': id, 'TLS.sdkappid': app, 'TLS.time': time, 'TLS.expire': expire } = doc;
    if (typeof time !== 'number' || typeof expire !== 'number' || typeof doc['TLS.sig'] !== 'string')
      return 70003;
    const content = `TLS.identifier:${String(id)}\nTLS.sdkappid:${String(app)}\nTLS.time:${time}\nTLS.expire:${expire}\n`;
    const want = createHmac('sha256', this.#options.secretKey).update(content).digest();
    const got = Buffer.from(doc['TLS.sig'], 'base64');
    if (got.length !== want.length || !timingSafeEqual(got, want)) return 70003;
    if (app !== sdkAppId) return 70014;
    if (id !== identifier) return 70013;
    if (Date.now() / 1000 > time + expire || this.#expired.has(sig)) return 70001;
    if (!(this.#options.admins ?? ['administrator']).includes(identifier)) return 60010;
    this.#seen.add(sig);
    this.signatureTimes.add(time);
    return 0;
  }

  #overLimit(path: string): boolean {
    const limits = this.#options.rateLimit;
    const limit = typeof limits === 'number' ? limits : limits?.[path.split('/').pop()!];
    if (limit === undefined) return false;
    const now = Date.now();
    const recent = (this.#recent.get(path) ?? []).filter((t) => t > now - 1000);
    this.#recent.set(path, recent);
    if (recent.length >= limit) return true;
    recent.push(now);
    return false;
  }
}
