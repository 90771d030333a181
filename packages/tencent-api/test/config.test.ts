import { expect } from 'chai';
import { inspect } from 'node:util';
import { clientOptionsFor, parseTencentApiEnv, Secret } from '../src/index.js';

const KEY = 'the-secret-key-0123456789';

describe('config: the REST client settings', () => {
  it('has defaults', () => {
    const s = parseTencentApiEnv({ IM_SDKAPPID: '1400000001', IM_SECRET_KEY: KEY });
    expect(s.baseUrl).to.equal('https://console.tim.qq.com');
    expect(s.adminAccount).to.equal('administrator');
    expect(s.maxRps).to.equal(20);
    expect(s.keys.get(1400000001)?.secretKey.reveal()).to.equal(KEY);
    expect(s.keys.get(1400000001)?.setting).to.equal('IM_SECRET_KEY');
  });

  it('reads IM_SECRET_KEYS for several apps, and the other variables', () => {
    const s = parseTencentApiEnv({
      IM_SECRET_KEYS: '1400000001:k1, 1400000002:k2:with:colons',
      IM_API_BASE_URL: 'https://adminapisgp.im.qcloud.com/',
      IM_ADMIN_ACCOUNT: 'ops',
      IM_API_MAX_RPS: '5',
    });
    expect(s.baseUrl).to.equal('https://adminapisgp.im.qcloud.com');
    expect(s.adminAccount).to.equal('ops');
    expect(s.maxRps).to.equal(5);
    expect(s.keys.get(1400000002)?.secretKey.reveal()).to.equal('k2:with:colons');
    const options = clientOptionsFor(s, 1400000001);
    expect(options.secretKeySetting).to.equal('IM_SECRET_KEYS');
    expect(options.baseUrl).to.equal('https://adminapisgp.im.qcloud.com');
  });

  const bad: [string, NodeJS.ProcessEnv, RegExp][] = [
    ['a key without its app', { IM_SECRET_KEY: KEY }, /IM_SECRET_KEY: set IM_SDKAPPID/],
    ['a bad SDKAppID', { IM_SECRET_KEYS: `14x:${KEY}` }, /IM_SECRET_KEYS: "14x" is not an SDKAppID/],
    [
      'an entry without a key',
      { IM_SECRET_KEYS: '1400000001' },
      /IM_SECRET_KEYS: each entry must be SDKAppID:key/,
    ],
    [
      'a key twice',
      { IM_SDKAPPID: '1400000001', IM_SECRET_KEY: KEY, IM_SECRET_KEYS: `1400000001:${KEY}` },
      /twice/,
    ],
    ['a bad URL', { IM_API_BASE_URL: 'console.tim.qq.com' }, /IM_API_BASE_URL must be an http/],
    ['a bad rate', { IM_API_MAX_RPS: 'fast' }, /IM_API_MAX_RPS must be a number/],
    ['a rate above the limits', { IM_API_MAX_RPS: '500' }, /IM_API_MAX_RPS/],
  ];
  for (const [what, env, message] of bad) {
    it(`rejects ${what}, naming the variable and never the key`, () => {
      let error: Error | undefined;
      try {
        parseTencentApiEnv(env);
      } catch (err) {
        error = err as Error;
      }
      expect(error?.name).to.equal('ConfigError');
      expect(error?.message).to.match(message);
      expect(error?.message).not.to.include(KEY);
    });
  }

  it('names both variables when an app has no key', () => {
    const s = parseTencentApiEnv({});
    expect(() => clientOptionsFor(s, 1400000009)).to.throw(
      /IM_SECRET_KEY or IM_SECRET_KEYS: no secret key for SDKAppID 1400000009/,
    );
  });

  it('keeps the key out of strings, JSON and util.inspect', () => {
    const s = parseTencentApiEnv({ IM_SDKAPPID: '1400000001', IM_SECRET_KEY: KEY });
    const options = clientOptionsFor(s, 1400000001);
    for (const shown of [
      JSON.stringify(options),
      inspect(options, { depth: 9 }),
      inspect(s, { depth: 9 }),
      String(options.secretKey),
      `${new Secret(KEY)}`,
    ])
      expect(shown).not.to.include(KEY);
  });
});
