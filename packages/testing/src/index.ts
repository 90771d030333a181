export { loadSample, loadSamples, SAMPLES_DIR, type Sample } from './samples.js';
export { uniquePrefix, deletePrefix, freePort, PrivateRedis, TEST_REDIS_URL } from './redis.js';
export { uniqueSchema, dropSchema, TEST_DATABASE_URL } from './postgres.js';
export { callbackQuery, postTogether, tencentSign, type CallbackQuery } from './http.js';
export { serviceLaunch, type Service, type ServiceLaunch } from './service.js';
export { FakeTencent, type FakeTencentOptions, type Fault, type FakeCall } from './fake-tencent/server.js';
export {
  FakeAppState,
  populate,
  type FakeGroup,
  type FakeGroupType,
  type FakeMember,
  type FakeTopic,
  type FakeUser,
  type FakeFriend,
  type PopulateOptions,
} from './fake-tencent/state.js';
export { TcpProxy } from './tcp-proxy.js';
export { eventually } from './wait.js';
export { PrivatePostgres } from './private-postgres.js';
