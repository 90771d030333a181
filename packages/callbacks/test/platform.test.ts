import { expect } from 'chai';
import { normalizePlatform, PLATFORMS } from '../src/platform.js';

describe('normalizePlatform', () => {
  it('gives iOS one spelling whatever the callback sends (IOS, iOS, iOs, ios)', () => {
    for (const v of ['IOS', 'iOS', 'iOs', 'ios']) expect(normalizePlatform(v)).to.equal('iOS');
  });

  it('maps macOS to Mac and compares every documented platform case-insensitively', () => {
    expect(normalizePlatform('macOS')).to.equal('Mac');
    for (const p of PLATFORMS) {
      expect(normalizePlatform(p)).to.equal(p);
      expect(normalizePlatform(p.toUpperCase())).to.equal(p);
    }
  });

  it('keeps an unknown platform as sent and turns an absent one into null', () => {
    expect(normalizePlatform('HarmonyOS')).to.equal('HarmonyOS');
    for (const v of [undefined, null, '']) expect(normalizePlatform(v)).to.equal(null);
  });
});
