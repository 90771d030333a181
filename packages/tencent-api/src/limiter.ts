import pThrottle from 'p-throttle';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The pace of one endpoint: at most `rps` calls start per second (evenly spaced, p-throttle), and after a
 * rate-limit answer every call to the endpoint waits out a shared cool-down, so a storm slows the whole
 * endpoint down rather than each call retrying on its own. The cool-down grows with the endpoint's
 * rate-limit answers in a row (any call's), up to `maxCoolDownMs`, and starts small again after an answer
 * that was not a rate limit: Tencent's limits are per second, so a short wait is what frees a slot, however
 * many times one call was refused.
 */
export class EndpointLimiter {
  readonly #slot: () => Promise<void>;
  #coolDownUntil = 0;
  #strikes = 0;

  constructor(
    rps: number,
    signal: AbortSignal,
    private readonly baseCoolDownMs = 200,
    private readonly maxCoolDownMs = 2000,
    private readonly random: () => number = Math.random,
  ) {
    this.#slot = pThrottle({ limit: 1, interval: 1000 / rps, strict: true, signal })(async () => {});
  }

  /** Resolves when a call may start. */
  async acquire(signal: AbortSignal): Promise<void> {
    for (;;) {
      const wait = this.#coolDownUntil - Date.now();
      if (wait > 0) await sleep(wait, undefined, { signal });
      await this.#slot();
      if (this.#coolDownUntil <= Date.now()) return;
    }
  }

  /** After a rate-limit answer: no call to this endpoint starts for the cool-down it returns (ms). */
  rateLimited(): number {
    const ms = backoffMs(++this.#strikes, this.baseCoolDownMs, this.maxCoolDownMs, this.random);
    this.#coolDownUntil = Math.max(this.#coolDownUntil, Date.now() + ms);
    return ms;
  }

  /** After an answer that was not a rate limit: the next cool-down starts from the base again. */
  answered(): void {
    this.#strikes = 0;
  }
}

/** Exponential backoff with full jitter: a random delay in [base·2^(attempt-1)/2, base·2^(attempt-1)], capped. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
