export { loadSample, loadSamples, SAMPLES_DIR, type Sample } from './samples.js';
export { uniquePrefix, deletePrefix, freePort, keyStats, PrivateRedis, TEST_REDIS_URL } from './redis.js';
export {
  uniqueSchema,
  dropSchema,
  ensureDatabase,
  probeKey,
  probeTimes,
  tableCounts,
  TEST_DATABASE_URL,
  withClient,
} from './postgres.js';
export { callbackQuery, postTogether, tencentSign, type CallbackQuery } from './http.js';
export {
  killAll,
  NodeProcess,
  startProcess,
  statCpuSeconds,
  type Exit,
  type LogLine,
  type SpawnOptions,
} from './process.js';
export {
  serviceLaunch,
  startService,
  type Service,
  type ServiceLaunch,
  type ServiceOptions,
} from './service.js';
export {
  expectedRows,
  payload,
  payloadFor,
  PAYLOAD_COMMANDS,
  TABLES,
  type Payload,
  type Probe,
  type RowCounts,
  type Table,
} from './payloads.js';
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
export { Cleanup } from './cleanup.js';
export { openLoop, type OpenLoopOptions, type OpenLoopResult } from './open-loop.js';
export { eventually } from './wait.js';
export { PrivatePostgres } from './private-postgres.js';
export { deepJson, mutated, type MutateOptions } from './mutate.js';
