import { expect } from 'chai';
import { TIMED_OUT, waitAtMost } from '../src/index.js';

/** The timers that keep the process alive, once mocha has set its own for the running test. */
const timers = async () => {
  await new Promise((resolve) => setImmediate(resolve));
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
};

describe('waitAtMost', () => {
  it("resolves with the promise's value when it settles in time", async () => {
    expect(await waitAtMost(Promise.resolve(42), 60_000)).to.equal(42);
  });

  it('resolves with TIMED_OUT when the promise has not settled in time', async () => {
    const never = new Promise<number>(() => undefined);
    expect(await waitAtMost(never, 20)).to.equal(TIMED_OUT);
  });

  it("passes the promise's rejection through", async () => {
    const err = await waitAtMost(Promise.reject(new Error('refused')), 60_000).catch((e: Error) => e);
    expect(err).to.be.instanceOf(Error).with.property('message', 'refused');
  });

  it('holds the process alive with no timer of its own while it waits', async () => {
    const before = await timers();
    let settle: (v: number) => void = () => undefined;
    const waiting = waitAtMost(new Promise<number>((resolve) => (settle = resolve)), 60_000);
    expect(await timers()).to.equal(before);
    settle(1);
    expect(await waiting).to.equal(1);
  });
});
