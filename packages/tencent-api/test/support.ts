import { FakeTencent, type FakeTencentOptions } from '@imsync/testing';
import { Secret, TencentApiClient, type CallEvent, type TencentApiClientOptions } from '../src/index.js';

export const SDKAPPID = 1400000000;
export const KEY = '5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e';

export interface Harness {
  readonly fake: FakeTencent;
  readonly client: TencentApiClient;
  readonly events: CallEvent[];
  close(): Promise<void>;
}

/** A fake Tencent and a client pointed at it, with short backoffs; `close()` closes both. */
export async function harness(
  fakeOptions: Partial<FakeTencentOptions> = {},
  clientOptions: Partial<TencentApiClientOptions> = {},
): Promise<Harness> {
  const fake = await FakeTencent.start({ sdkAppId: SDKAPPID, secretKey: KEY, ...fakeOptions });
  const events: CallEvent[] = [];
  const client = new TencentApiClient({
    sdkAppId: SDKAPPID,
    secretKey: new Secret(KEY),
    baseUrl: fake.url,
    maxRps: 200,
    groupListRps: 200,
    backoffBaseMs: 5,
    backoffMaxMs: 50,
    rateLimitBackoffMaxMs: 50,
    onCall: (e) => events.push(e),
    ...clientOptions,
  });
  return {
    fake,
    client,
    events,
    close: async () => {
      client.close();
      await fake.close();
    },
  };
}
