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
