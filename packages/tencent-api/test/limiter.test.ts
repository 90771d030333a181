import { expect } from 'chai';
import { backoffMs, EndpointLimiter } from '../src/limiter.js';

describe('EndpointLimiter: the cool-down after rate-limit answers', () => {
  const closing = new AbortController();
  after(() => closing.abort());
  const limiter = () => new EndpointLimiter(200, closing.signal, 200, 2000, () => 1);

  it('doubles with each rate-limit answer in a row, whichever call got it, up to its cap', () => {
    const l = limiter();
    const coolDowns = Array.from({ length: 40 }, () => l.rateLimited());
    expect(coolDowns.slice(0, 6)).to.deep.equal([200, 400, 800, 1600, 2000, 2000]);
    // a storm of any length never makes the endpoint wait longer than the cap
    expect(Math.max(...coolDowns)).to.equal(2000);
  });

  it('starts from the base again after an answer that was not a rate limit', () => {
    const l = limiter();
    for (let i = 0; i < 10; i++) l.rateLimited();
    l.answered();
    expect(l.rateLimited()).to.equal(200);
  });

  it('holds every call to the endpoint back until the cool-down is over', async () => {
    const l = new EndpointLimiter(200, closing.signal, 50, 50, () => 1);
    const coolDown = l.rateLimited();
    const started = Date.now();
    await l.acquire(closing.signal);
    // timers may fire a millisecond early; what matters is that the call waited for the cool-down
    expect(Date.now() - started).to.be.at.least(coolDown - 5);
  });

  it('backoffMs: full jitter between half the ceiling and the ceiling, capped', () => {
    expect(backoffMs(1, 200, 30_000, () => 0)).to.equal(100);
    expect(backoffMs(3, 200, 30_000, () => 1)).to.equal(800);
    expect(backoffMs(30, 200, 2000, () => 1)).to.equal(2000);
  });
});
