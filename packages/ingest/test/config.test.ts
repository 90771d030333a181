import { expect } from 'chai';
import { ConfigError, loadConfig, parseApps } from '../src/config.js';
import { SETTLE_MAX_MS } from '../src/drain.js';

const base = { IM_SDKAPPID: '1400000001' };

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return err as ConfigError;
  }
  return expect.fail(`accepted ${JSON.stringify(env)}`);
}

describe('config', () => {
  it('has a default for every variable but the app', () => {
    const c = loadConfig(base);
    expect(c).to.deep.include({
      redisUrl: 'redis://127.0.0.1:6379',
      queuePrefix: 'imsync',
      host: '0.0.0.0',
      port: 3000,
      adminHost: '127.0.0.1',
      adminPort: 3001,
      callbackPath: '/im/callback',
      signMaxSkewSeconds: 60,
      bodyLimitBytes: 1024 * 1024,
      enqueueTimeoutMs: 1000,
      dedupeWindowMs: 600_000,
      dedupeWindowNoEventTimeMs: 5000,
      unroutedEnabled: true,
      keepAliveTimeoutMs: 75_000,
      shutdownDrainMs: 5000,
      shutdownTimeoutMs: 3000,
      logLevel: 'info',
      dashboard: null,
    });
    expect([...c.apps]).to.deep.equal([[1400000001, { tokens: [] }]]);
    expect(Object.isFrozen(c)).to.equal(true);
  });

  it('keeps the enqueue bound under Tencent’s 2 s timeout and the keep-alive timeout above a load balancer’s 60 s', () => {
    const c = loadConfig(base);
    expect(c.enqueueTimeoutMs).to.be.below(2000);
    expect(c.keepAliveTimeoutMs).to.be.above(60_000);
    expect(configError({ ...base, ENQUEUE_TIMEOUT_MS: '2000' }).message).to.contain('ENQUEUE_TIMEOUT_MS');
  });

  it('stops by default within compose’s default stop_grace_period (10 s): drain, settle, then in-flight requests', () => {
    const c = loadConfig(base);
    expect(c.shutdownDrainMs).to.be.above(0);
    expect(c.shutdownDrainMs + SETTLE_MAX_MS + c.shutdownTimeoutMs).to.be.below(10_000);
    // a request read just before the drain ends can still be answered: the enqueue bound fits the deadline
    expect(c.shutdownTimeoutMs).to.be.above(c.enqueueTimeoutMs);
  });

  it('reads every variable', () => {
    const c = loadConfig({
      ...base,
      IM_CALLBACK_TOKEN: 'tok',
      IM_CALLBACK_TOKEN_PREVIOUS: 'old',
      REDIS_URL: 'rediss://redis.internal:6380/2',
      QUEUE_PREFIX: 'app1',
      INGEST_HOST: '127.0.0.1',
      INGEST_PORT: '8080',
      ADMIN_HOST: '0.0.0.0',
      ADMIN_PORT: '9090',
      CALLBACK_PATH: '/tencent/im',
      SIGN_MAX_SKEW_SECONDS: '30',
      BODY_LIMIT_BYTES: '2048',
      ENQUEUE_TIMEOUT_MS: '500',
      DEDUPE_WINDOW_SECONDS: '60',
      DEDUPE_WINDOW_NO_EVENT_TIME_MS: '1000',
      UNROUTED_ENABLED: 'false',
      KEEPALIVE_TIMEOUT_MS: '90000',
      SHUTDOWN_DRAIN_MS: '0',
      SHUTDOWN_TIMEOUT_MS: '20000',
      LOG_LEVEL: 'debug',
      DASHBOARD_USER: 'ops',
      DASHBOARD_PASSWORD: 'pw',
    });
    expect(c).to.deep.include({
      redisUrl: 'rediss://redis.internal:6380/2',
      queuePrefix: 'app1',
      host: '127.0.0.1',
      port: 8080,
      adminHost: '0.0.0.0',
      adminPort: 9090,
      callbackPath: '/tencent/im',
      signMaxSkewSeconds: 30,
      bodyLimitBytes: 2048,
      enqueueTimeoutMs: 500,
      dedupeWindowMs: 60_000,
      dedupeWindowNoEventTimeMs: 1000,
      unroutedEnabled: false,
      keepAliveTimeoutMs: 90_000,
      shutdownDrainMs: 0,
      shutdownTimeoutMs: 20_000,
      logLevel: 'debug',
    });
    expect(c.apps.get(1400000001)!.tokens).to.deep.equal(['tok', 'old']);
    expect(c.dashboard).to.deep.equal({ user: 'ops', password: 'pw', readOnly: false });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ ...base, INGEST_PORT: '', IM_CALLBACK_TOKEN: '' }).port).to.equal(3000);
  });

  it('reads several apps with tokens and previous tokens from IM_APPS', () => {
    const apps = parseApps({ IM_APPS: ' 1400000001:tokA:oldA , 1400000002:tokB,1400000003 ' });
    expect([...apps]).to.deep.equal([
      [1400000001, { tokens: ['tokA', 'oldA'] }],
      [1400000002, { tokens: ['tokB'] }],
      [1400000003, { tokens: [] }],
    ]);
    const both = parseApps({ IM_SDKAPPID: '1400000009', IM_CALLBACK_TOKEN: 't', IM_APPS: '1400000001' });
    expect([...both.keys()]).to.deep.equal([1400000009, 1400000001]);
  });

  const bad: [Record<string, string>, string][] = [
    [{ ...base, INGEST_PORT: 'abc' }, 'INGEST_PORT'],
    [{ ...base, INGEST_PORT: '70000' }, 'INGEST_PORT'],
    [{ ...base, ADMIN_PORT: '-1' }, 'ADMIN_PORT'],
    [{ ...base, REDIS_URL: 'http://x' }, 'REDIS_URL'],
    [{ ...base, QUEUE_PREFIX: 'a:b' }, 'QUEUE_PREFIX'],
    [{ ...base, CALLBACK_PATH: 'im/callback' }, 'CALLBACK_PATH'],
    [{ ...base, SIGN_MAX_SKEW_SECONDS: '0' }, 'SIGN_MAX_SKEW_SECONDS'],
    [{ ...base, BODY_LIMIT_BYTES: '1mb' }, 'BODY_LIMIT_BYTES'],
    [{ ...base, ENQUEUE_TIMEOUT_MS: '10' }, 'ENQUEUE_TIMEOUT_MS'],
    [{ ...base, DEDUPE_WINDOW_SECONDS: '1.5' }, 'DEDUPE_WINDOW_SECONDS'],
    [{ ...base, DEDUPE_WINDOW_NO_EVENT_TIME_MS: 'x' }, 'DEDUPE_WINDOW_NO_EVENT_TIME_MS'],
    [{ ...base, UNROUTED_ENABLED: 'maybe' }, 'UNROUTED_ENABLED'],
    [{ ...base, KEEPALIVE_TIMEOUT_MS: '10' }, 'KEEPALIVE_TIMEOUT_MS'],
    [{ ...base, SHUTDOWN_DRAIN_MS: '-1' }, 'SHUTDOWN_DRAIN_MS'],
    [{ ...base, SHUTDOWN_DRAIN_MS: '5s' }, 'SHUTDOWN_DRAIN_MS'],
    [{ ...base, SHUTDOWN_TIMEOUT_MS: '0' }, 'SHUTDOWN_TIMEOUT_MS'],
    [{ ...base, LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ ...base, DASHBOARD_USER: 'ops' }, 'DASHBOARD_USER'],
    [{ IM_APPS: 'abc:tok' }, 'IM_APPS'],
    [{ IM_APPS: '1400000001:a:b:c' }, 'IM_APPS'],
    [{ IM_APPS: '1400000001::old' }, 'IM_APPS'],
    [{ IM_APPS: '1400000001,1400000001' }, 'IM_APPS'],
    [{ IM_SDKAPPID: '0' }, 'IM_SDKAPPID'],
    [{ IM_SDKAPPID: '12x' }, 'IM_SDKAPPID'],
    [{ IM_CALLBACK_TOKEN: 'tok' }, 'IM_CALLBACK_TOKEN'],
    [{}, 'IM_SDKAPPID'],
  ];
  for (const [env, variable] of bad) {
    it(`refuses ${JSON.stringify(env)} naming ${variable}`, () => {
      expect(configError(env).message).to.contain(variable);
    });
  }
});
