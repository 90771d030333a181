import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { postTogether, killAll, eventually } from '@imsync/testing';
import { SDK_APP_ID, Stack } from './support/stack.js';

const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };
const FRIEND_ADD =
  `SdkAppid=${SDK_APP_ID}&CallbackCommand=Sns.CallbackFriendAdd&contenttype=json` +
  '&ClientIP=127.0.0.1&OptPlatform=RESTAPI';

/** A friend add without EventTime (as Tencent sends them): applied twice, it would count as a newer event. */
const friendAdd = (n: number) => ({
  CallbackCommand: 'Sns.CallbackFriendAdd',
  PairList: [{ From_Account: `batch-a${n}`, To_Account: `batch-b${n}`, Initiator_Account: `batch-a${n}` }],
  ClientCmd: 'friend_add',
  Admin_Account: '',
  ForceFlag: 1,
});

/** POSTs the friend adds together (as under load, where ingest puts one event-loop turn's callbacks in one job). */
const burst = (port: number, bodies: readonly unknown[]): Promise<unknown[]> =>
  postTogether(
    port,
    `/im/callback?${FRIEND_ADD}`,
    bodies.map((b) => JSON.stringify(b)),
  );

describe('end to end: callbacks that arrive together share a job (real processes)', function () {
  this.timeout(60_000);
  let stack: Stack;
  before(async () => {
    stack = await Stack.start({ label: 'e2e-batch' });
  });
  after(async () => {
    await stack?.close();
    await killAll();
  });

  const processed = async (command: string, result: string): Promise<number> => {
    const family = (await stack.metrics('sync-worker')).get('imsync_jobs_processed_total');
    const sample = family?.samples.find((s) => s.labels.command === command && s.labels.result === result);
    return sample?.value ?? 0;
  };

  const batchJobs = async (): Promise<number> =>
    (await stack.metrics('sync-worker'))
      .get('imsync_job_duration_seconds')
      ?.samples.find((s) => s.name.endsWith('_count') && s.labels.command === 'batch')?.value ?? 0;

  it('applies every callback of a burst once, and skips their redeliveries within the window', async () => {
    // Whether a burst reaches ingest in one event-loop turn is up to the kernel and the machine's load:
    // bursts of fresh callbacks are sent until one of them was a batch job (at most MAX_BURSTS).
    const MAX_BURSTS = 5;
    let bursts = 0;
    while (bursts < MAX_BURSTS) {
      bursts++;
      const bodies = Array.from({ length: 16 }, (_, i) => friendAdd(bursts * 100 + i));
      expect(await burst(stack.ports.ingest, bodies)).to.deep.equal(Array(16).fill(OK));
      // Tencent delivering the same callbacks again, within DEDUPE_WINDOW_NO_EVENT_TIME_MS: answered OK
      expect(await burst(stack.ports.ingest, bodies)).to.deep.equal(Array(16).fill(OK));
      await eventually(async () =>
        (await processed('Sns.CallbackFriendAdd', 'applied')) >= 16 * bursts ? true : undefined,
      );
      await sleep(300); // the second burst's jobs, if any, are done by now
      if ((await batchJobs()) > 0) break;
    }

    const r = await stack.query<{ from_account: string; status: string }>(
      `SELECT from_account, status FROM $schema.friendships WHERE sdk_app_id = $1 AND from_account LIKE 'batch-%'`,
      [SDK_APP_ID],
    );
    expect(r.rows).to.have.length(16 * bursts);
    expect(r.rows.every((row) => row.status === 'friend')).to.equal(true);
    const ingest = (await stack.metrics('ingest')).get('imsync_callbacks_received_total');
    const received = (result: string) =>
      ingest?.samples.find((s) => s.labels.command === 'Sns.CallbackFriendAdd' && s.labels.result === result)
        ?.value ?? 0;
    expect(received('enqueued')).to.equal(16 * bursts);
    expect(received('duplicate')).to.equal(16 * bursts);
    // the worker applied each once; the redeliveries that reached it (in a batch) were skipped, never applied
    expect(await processed('Sns.CallbackFriendAdd', 'applied')).to.equal(16 * bursts);
    expect(
      await batchJobs(),
      `a burst reached ingest together and was one job (${bursts} bursts)`,
    ).to.be.above(0);
  });
});
