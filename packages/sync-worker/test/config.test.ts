import { expect } from 'chai';
import { loadConfig } from '../src/config.js';

describe('sync-worker config: how soon a dead worker’s jobs go to another', () => {
  it('by default within 15 s: the lock plus one stall check', () => {
    const { locks } = loadConfig({});
    expect(locks.lockMs + locks.stalledIntervalMs).to.be.at.most(15_000);
  });

  it('WORKER_LOCK_MS, WORKER_STALLED_INTERVAL_MS and WORKER_MAX_STALLED_COUNT set them', () => {
    const { locks } = loadConfig({
      WORKER_LOCK_MS: '30000',
      WORKER_STALLED_INTERVAL_MS: '15000',
      WORKER_MAX_STALLED_COUNT: '2',
    });
    expect(locks).to.deep.equal({ lockMs: 30_000, stalledIntervalMs: 15_000, maxStalledCount: 2 });
    expect(() => loadConfig({ WORKER_LOCK_MS: '10' })).to.throw(/WORKER_LOCK_MS/);
  });
});

describe('sync-worker config: reconcile', () => {
  it('is off unless RECONCILE_INTERVAL is set', () => {
    expect(loadConfig({}).reconcile).to.equal(null);
    expect(loadConfig({ RECONCILE_INTERVAL: 'off' }).reconcile).to.equal(null);
  });

  it('sweeps every app with a secret key on the interval, with the clock margin', () => {
    const { reconcile } = loadConfig({
      RECONCILE_INTERVAL: '6h',
      RECONCILE_CLOCK_MARGIN_MS: '5000',
      IM_SECRET_KEYS: '1400000001:k1,1400000002:k2',
    });
    expect(reconcile).to.deep.equal({
      intervalMs: 6 * 3_600_000,
      clockMarginMs: 5000,
      apps: [1400000001, 1400000002],
    });
  });

  it('names the setting that is missing or wrong', () => {
    expect(() => loadConfig({ RECONCILE_INTERVAL: '6h' })).to.throw(/IM_SECRET_KEY/);
    expect(() => loadConfig({ RECONCILE_INTERVAL: 'often', IM_SECRET_KEYS: '1400000001:k' })).to.throw(
      /RECONCILE_INTERVAL/,
    );
    expect(() => loadConfig({ RECONCILE_CLOCK_MARGIN_MS: '-1' })).to.throw(/RECONCILE_CLOCK_MARGIN_MS/);
  });
});
