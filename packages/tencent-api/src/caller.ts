import { randomInt } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { ValidationError } from 'yup';
import { ENDPOINTS, ENDPOINT_NAMES, type Endpoint, type Requests, type Responses } from './endpoints.js';
import { classifyCode, TencentApiError, type ErrorClass } from './errors.js';
import { backoffMs, EndpointLimiter } from './limiter.js';
import { Transport, TransportError } from './transport.js';
import { genUserSig } from './usersig.js';
import type { CallEvent, CallResult, CallStats } from './types.js';
import type { TencentApiClientOptions } from './client.js';

type Settings = Required<Omit<TencentApiClientOptions, 'onCall' | 'now'>> &
  Pick<TencentApiClientOptions, 'onCall'> & { now: () => number };

/** Endpoints whose answer lists items with their own error codes: the top-level code may not be the truth. */
const PER_ITEM_LISTS: Partial<Record<Endpoint, string>> = {
  get_group_info: 'GroupInfo',
  portrait_get: 'UserProfileItem',
  query_online_status: 'QueryResult',
  account_check: 'ResultItem',
};

interface Outcome {
  readonly result: CallResult;
  readonly code: number | null;
  readonly errorClass: ErrorClass | null;
  readonly message: string;
  readonly httpStatus: number | null;
  readonly body?: unknown;
}

/**
 * Makes one REST call: waits for the endpoint's limiter, signs, sends, classifies the answer, retries by
 * class, validates the body. Reports every attempt.
 */
export class Caller {
  readonly #s: Settings;
  readonly #transport: Transport;
  readonly #limiters: Map<Endpoint, EndpointLimiter>;
  readonly #closing = new AbortController();
  readonly #counts = new Map<Endpoint, Map<CallResult, number>>();
  #retries = 0;
  #sig: { value: string; time: number; expire: number } | null = null;

  constructor(settings: Settings) {
    this.#s = settings;
    this.#transport = new Transport(settings.baseUrl);
    // every call waiting for its turn listens to this signal: any number may be pending
    setMaxListeners(0, this.#closing.signal);
    this.#limiters = new Map(
      ENDPOINT_NAMES.map((e) => {
        const cap = e === 'get_appid_group_list' ? settings.groupListRps : settings.maxRps;
        const rps = Math.min(cap, ENDPOINTS[e].documentedRps);
        const { backoffBaseMs, rateLimitBackoffMaxMs } = settings;
        return [e, new EndpointLimiter(rps, this.#closing.signal, backoffBaseMs, rateLimitBackoffMaxMs)];
      }),
    );
  }

  async call<E extends Endpoint>(
    endpoint: E,
    body: Requests[E],
    signal?: AbortSignal,
  ): Promise<Responses[E]> {
    const abort = signal ? AbortSignal.any([signal, this.#closing.signal]) : this.#closing.signal;
    if (signal) setMaxListeners(0, abort);
    const limiter = this.#limiters.get(endpoint)!;
    const json = JSON.stringify(body);
    let renewed = false;
    for (let attempt = 1; ; attempt++) {
      await limiter.acquire(abort);
      const started = performance.now();
      const outcome = await this.#attempt(endpoint, json, abort);
      const retryable =
        outcome.errorClass === 'rate_limit' ||
        outcome.errorClass === 'transient' ||
        (outcome.errorClass === 'usersig_expired' && !renewed);
      const budget = outcome.errorClass === 'rate_limit' ? this.#s.maxRateLimitRetries : this.#s.maxRetries;
      const willRetry = retryable && attempt <= budget && !abort.aborted;
      this.#report({
        endpoint,
        result: outcome.result,
        code: outcome.code,
        attempt,
        willRetry,
        durationMs: performance.now() - started,
      });
      if (outcome.errorClass === 'rate_limit') limiter.rateLimited();
      else if (outcome.httpStatus !== null) limiter.answered();
      if (outcome.result === 'ok') return this.#validate(endpoint, outcome.body);
      if (!willRetry) throw this.#error(endpoint, outcome, attempt);
      this.#retries++;
      if (outcome.errorClass === 'usersig_expired') {
        renewed = true;
        this.#renewSig();
        continue;
      }
      if (outcome.errorClass !== 'rate_limit')
        await sleep(backoffMs(attempt, this.#s.backoffBaseMs, this.#s.backoffMaxMs), undefined, {
          signal: abort,
        });
    }
  }

  stats(): CallStats {
    const calls: Record<string, Record<string, number>> = {};
    for (const [e, byResult] of this.#counts) calls[e] = Object.fromEntries(byResult);
    return { calls, retries: this.#retries };
  }

  close(): void {
    this.#closing.abort(new Error('the Tencent REST client was closed'));
    this.#transport.close();
  }

  async #attempt(endpoint: Endpoint, json: string, signal: AbortSignal): Promise<Outcome> {
    let answer;
    try {
      answer = await this.#transport.post(this.#url(endpoint), json, this.#s.timeoutMs, signal);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      const message = err instanceof TransportError ? err.message : 'request failed';
      return { result: 'network_error', code: null, errorClass: 'transient', message, httpStatus: null };
    }
    if (answer.status !== 200) {
      const errorClass = answer.status >= 500 || answer.status === 429 ? 'transient' : 'fatal';
      const message = `HTTP ${answer.status}`;
      return { result: 'http_error', code: null, errorClass, message, httpStatus: answer.status };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(quoteBigCursors(endpoint, answer.body));
    } catch {
      const message = 'the answer is not JSON';
      return { result: 'transient', code: null, errorClass: 'transient', message, httpStatus: 200 };
    }
    const head = (parsed ?? {}) as { ErrorCode?: unknown; ErrorInfo?: unknown };
    const code = typeof head.ErrorCode === 'number' ? head.ErrorCode : Number(head.ErrorCode ?? NaN);
    const info = typeof head.ErrorInfo === 'string' ? head.ErrorInfo : '';
    if (code === 0 || hasItems(endpoint, parsed))
      return { result: 'ok', code: 0, errorClass: null, message: info, httpStatus: 200, body: parsed };
    if (!Number.isInteger(code)) {
      const message = 'the answer has no ErrorCode';
      return { result: 'error', code: null, errorClass: 'fatal', message, httpStatus: 200 };
    }
    const errorClass = classifyCode(code);
    const result: CallResult =
      errorClass === 'rate_limit'
        ? 'rate_limited'
        : errorClass === 'usersig_expired'
          ? 'usersig_expired'
          : errorClass === 'transient'
            ? 'transient'
            : 'error';
    return { result, code, errorClass, message: info, httpStatus: 200 };
  }

  #validate<E extends Endpoint>(endpoint: E, body: unknown): Responses[E] {
    try {
      return ENDPOINTS[endpoint].schema.validateSync(body, { abortEarly: false }) as Responses[E];
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const message = `the answer does not match the documented shape: ${err.errors.join('; ')}`;
      throw new TencentApiError(`${endpoint}: ${message}`, null, endpoint, message, 'fatal');
    }
  }

  #error(endpoint: Endpoint, o: Outcome, attempts: number): TencentApiError {
    const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
    const what = o.code !== null ? `${o.code} ${o.message}`.trim() : o.message;
    let message = `${endpoint}: Tencent answered ${what}${tries}`;
    if (o.errorClass === 'auth') message = `${endpoint}: ${this.#authHint(o.code!)} (${what})`;
    else if (o.errorClass === 'usersig_expired')
      message = `${endpoint}: a freshly made UserSig was refused as expired (${what}): check this host's clock`;
    return new TencentApiError(message, o.code, endpoint, o.message, o.errorClass ?? 'fatal', o.httpStatus);
  }

  /** Which setting a refused credential points at, without the key itself. */
  #authHint(code: number): string {
    const { sdkAppId, adminAccount, secretKeySetting } = this.#s;
    if ([60010, 70013, 70403].includes(code))
      return `IM_ADMIN_ACCOUNT "${adminAccount}" was rejected by Tencent: it must be an App admin of SDKAppID ${sdkAppId}`;
    if ([60006, 70014, 70020].includes(code))
      return `SDKAppID ${sdkAppId} was rejected by Tencent: check IM_SDKAPPID / ${secretKeySetting}`;
    return `${secretKeySetting}: the secret key of SDKAppID ${sdkAppId} was rejected by Tencent`;
  }

  #url(endpoint: Endpoint): URL {
    const url = new URL(`/v4/${ENDPOINTS[endpoint].path}`, this.#s.baseUrl);
    url.search = new URLSearchParams({
      sdkappid: String(this.#s.sdkAppId),
      identifier: this.#s.adminAccount,
      usersig: this.#currentSig(),
      random: String(randomInt(0, 2 ** 32 - 1)),
      contenttype: 'json',
    }).toString();
    return url;
  }

  /** The cached UserSig, made anew once 90 % of its validity has passed. */
  #currentSig(): string {
    const now = Math.floor(this.#s.now() / 1000);
    const ttl = this.#s.userSigTtlSeconds;
    if (!this.#sig || now >= this.#sig.time + Math.floor(ttl * 0.9)) this.#makeSig(now, ttl);
    return this.#sig!.value;
  }

  /** After 70001: a new UserSig, never the same string as the refused one. */
  #renewSig(): void {
    const now = Math.floor(this.#s.now() / 1000);
    const old = this.#sig;
    // Within the same second the same inputs would give the refused string again: vary the validity.
    const ttl =
      old && old.time === now && old.expire === this.#s.userSigTtlSeconds
        ? old.expire + 1
        : this.#s.userSigTtlSeconds;
    this.#makeSig(now, ttl);
  }

  #makeSig(time: number, expire: number): void {
    const { sdkAppId, adminAccount, secretKey } = this.#s;
    const value = genUserSig({
      sdkAppId,
      key: secretKey.reveal(),
      identifier: adminAccount,
      expireSeconds: expire,
      time,
    });
    this.#sig = { value, time, expire };
  }

  #report(event: CallEvent): void {
    let byResult = this.#counts.get(event.endpoint);
    if (!byResult) this.#counts.set(event.endpoint, (byResult = new Map()));
    byResult.set(event.result, (byResult.get(event.result) ?? 0) + 1);
    try {
      this.#s.onCall?.(event);
    } catch {
      // a metrics hook must not break a call
    }
  }
}

/** Whether a batch answer lists its items (then the per-item codes are the truth, not the top-level one). */
function hasItems(endpoint: Endpoint, body: unknown): boolean {
  const list = PER_ITEM_LISTS[endpoint];
  if (!list || typeof body !== 'object' || body === null) return false;
  const items = (body as Record<string, unknown>)[list];
  return Array.isArray(items) && items.length > 0;
}

/**
 * Community groups' `Next` cursor is a decimal string that can exceed 2^53; should Tencent ever send it as a
 * bare number, it is quoted before parsing so that no digit is lost.
 */
function quoteBigCursors(endpoint: Endpoint, body: string): string {
  if (endpoint !== 'get_group_member_info') return body;
  return body.replace(/("Next"\s*:\s*)(\d+)/g, '$1"$2"');
}
