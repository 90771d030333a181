/**
 * A job's lock lasts `lockMs` and is renewed every half of it; every `stalledIntervalMs` one worker looks
 * for active jobs whose lock has lapsed (their worker died) and puts them back on the wait list, so another
 * worker takes them within about `lockMs + stalledIntervalMs` of the death. A worker whose event loop is
 * blocked for longer than `lockMs` cannot renew its locks and looks dead too: its jobs are then applied
 * twice (harmless: writes are idempotent). A job is failed once it has been found stalled more than
 * `maxStalledCount` times (a job that keeps killing its workers must not kill them for ever).
 */
export interface WorkerLocks {
  readonly lockMs: number;
  readonly stalledIntervalMs: number;
  readonly maxStalledCount: number;
}

export const DEFAULT_LOCKS: WorkerLocks = Object.freeze({
  lockMs: 10_000,
  stalledIntervalMs: 4_000,
  maxStalledCount: 10,
});
