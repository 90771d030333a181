import { openStore, type TestStore } from './store.js';

/** The sample app (the documented query strings' SdkAppid) and the samples' EventTime. */
export const SAMPLE_APP = 888888;
export const SAMPLE_TIME = 1670574414123;

/**
 * Opens a store of its own for the current `describe` (dropped after it) and empties it before each test.
 * Returns a getter: the store exists only once `before` has run.
 */
export function useStore(label: string): () => TestStore {
  let store: TestStore | undefined;
  before(async () => {
    store = await openStore(label);
  });
  after(async () => store?.close());
  beforeEach(async () => store!.truncate());
  return () => store!;
}
