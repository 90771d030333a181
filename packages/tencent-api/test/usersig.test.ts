import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import { decodeUserSig, genUserSig, userSigHmac } from '../src/index.js';

const SDKAPPID = 1400000000;
const KEY = '5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e';

describe('UserSig (TLSSigAPIv2, REST.md §2.3)', () => {
  it('vector A: xiaojun, time 1700000000, expire 15552000', () => {
    const sig = genUserSig({
      sdkAppId: SDKAPPID,
      key: KEY,
      identifier: 'xiaojun',
      expireSeconds: 15552000,
      time: 1700000000,
    });
    expect(decodeUserSig(sig)).to.deep.equal({
      'TLS.ver': '2.0',
      'TLS.identifier': 'xiaojun',
      'TLS.sdkappid': 1400000000,
      'TLS.time': 1700000000,
      'TLS.expire': 15552000,
      'TLS.sig': 'LvA7d/Iw7gSsnskvVzBDPOCCDbuNCw4GHwTC0bip+B4=',
    });
  });

  it('vector B: administrator, time 1700000000, expire 86400', () => {
    const doc = decodeUserSig(
      genUserSig({
        sdkAppId: SDKAPPID,
        key: KEY,
        identifier: 'administrator',
        expireSeconds: 86400,
        time: 1700000000,
      }),
    );
    expect(doc['TLS.sig']).to.equal('yLAe+w7WUeUuqbV9h/TX78u21oTGi+i9Zp1u3PpnY60=');
    expect(doc['TLS.identifier']).to.equal('administrator');
    expect(doc['TLS.expire']).to.equal(86400);
  });

  it("decodes the reference library's UserSig of vector A", () => {
    const reference =
      'eJyrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwhWZiflZpXlQqeKU7MSCgswUJStDEwMogMiUZOamKlkZmqOKplYUZBaBxE1NTY3gosWZ6UpWSj5ljuYp*p7l5unBxXnF2WVhVU4uAf7Ozi5JpX7O5SbuHuUhzgZJmQXaTia2SrUAohcx8g__';
    const doc = decodeUserSig(reference);
    expect(doc['TLS.sig']).to.equal(userSigHmac(KEY, 'xiaojun', SDKAPPID, 1700000000, 15552000));
  });

  it("uses Tencent's base64 variant (* - _), never + / =", () => {
    for (let i = 0; i < 50; i++) {
      const sig = genUserSig({
        sdkAppId: SDKAPPID,
        key: KEY,
        identifier: `u${i}`,
        expireSeconds: 86400 + i,
        time: 1700000000 + i,
      });
      expect(sig).to.match(/^[A-Za-z0-9*_-]+$/);
      const doc = decodeUserSig(sig);
      const content = `TLS.identifier:u${i}\nTLS.sdkappid:${SDKAPPID}\nTLS.time:${1700000000 + i}\nTLS.expire:${86400 + i}\n`;
      expect(doc['TLS.sig']).to.equal(createHmac('sha256', KEY).update(content).digest('base64'));
    }
  });

  it('dates the UserSig now when no time is given', () => {
    const before = Math.floor(Date.now() / 1000);
    const doc = decodeUserSig(
      genUserSig({ sdkAppId: SDKAPPID, key: KEY, identifier: 'a', expireSeconds: 60 }),
    );
    expect(doc['TLS.time']).to.be.within(before, Math.floor(Date.now() / 1000));
  });
});
