import { expect } from 'chai';
import { computeSign, signMatches, verifySignature } from '../src/signature.js';

describe('signature', () => {
  // the example of Tencent IM's callback authentication docs
  const token = 'xxxxyyyy';
  const time = '1669872112';
  const sign = '17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061';
  const now = 1669872112 * 1000;

  it('computes the documented test vector', () => {
    expect(computeSign(token, time)).to.equal(sign);
  });

  it('accepts the vector, also in upper-case hex', () => {
    expect(signMatches(token, time, sign)).to.equal(true);
    expect(signMatches(token, time, sign.toUpperCase())).to.equal(true);
    expect(verifySignature([token], sign, time, now, 60)).to.deep.equal({ ok: true, token: 0 });
  });

  it('refuses a wrong signature, a wrong token and a truncated one', () => {
    expect(verifySignature([token], sign.replace(/^1/, '2'), time, now, 60)).to.deep.equal({
      ok: false,
      reason: 'Sign mismatch',
    });
    expect(verifySignature(['other'], sign, time, now, 60)).to.deep.equal({
      ok: false,
      reason: 'Sign mismatch',
    });
    expect(verifySignature([token], sign.slice(0, 10), time, now, 60)).to.deep.equal({
      ok: false,
      reason: 'Sign mismatch',
    });
  });

  it('accepts the previous token during a rotation', () => {
    expect(verifySignature(['new-token', token], sign, time, now, 60)).to.deep.equal({ ok: true, token: 1 });
  });

  it('refuses a RequestTime outside the skew, accepts it at the edge', () => {
    expect(verifySignature([token], sign, time, now + 60_000, 60).ok).to.equal(true);
    expect(verifySignature([token], sign, time, now - 60_000, 60).ok).to.equal(true);
    expect(verifySignature([token], sign, time, now + 61_000, 60)).to.deep.equal({
      ok: false,
      reason: 'stale RequestTime',
    });
    expect(verifySignature([token], sign, time, now - 61_000, 60)).to.deep.equal({
      ok: false,
      reason: 'stale RequestTime',
    });
  });

  it('measures the skew in whole seconds, so the window is as wide on both sides whatever the millisecond', () => {
    const second = Number(time) * 1000;
    for (const ms of [0, 1, 500, 999]) {
      // RequestTime 60 s before and after the current second: both in; 61 s: both out
      expect(verifySignature([token], sign, time, second + 60_000 + ms, 60).ok, `+${ms} ms`).to.equal(true);
      expect(verifySignature([token], sign, time, second - 60_000 + ms, 60).ok, `+${ms} ms`).to.equal(true);
      expect(verifySignature([token], sign, time, second + 61_000 + ms, 60).ok, `+${ms} ms`).to.equal(false);
      expect(verifySignature([token], sign, time, second - 61_000 + ms, 60).ok, `+${ms} ms`).to.equal(false);
    }
  });

  it('refuses a Sign that is not exactly 64 hex digits, even when it begins with the right ones', () => {
    for (const bad of [sign + 'zz', sign + '0', sign.slice(0, 63), sign.slice(0, 62) + 'zz', '']) {
      expect(signMatches(token, time, bad), bad).to.equal(false);
    }
  });

  it('refuses a missing or malformed Sign / RequestTime', () => {
    expect(verifySignature([token], undefined, time, now, 60).ok).to.equal(false);
    expect(verifySignature([token], sign, undefined, now, 60).ok).to.equal(false);
    expect(verifySignature([token], sign, '16698721.2', now, 60)).to.deep.equal({
      ok: false,
      reason: 'malformed RequestTime',
    });
  });
});
