import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { expect } from 'chai';
import { eventually, SDK_APP_ID, Stack } from './support/stack.js';
import { killAll } from './support/service.js';

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

/**
 * POSTs every body on a connection of its own, all written in one turn, so that they reach ingest together
 * (as under load, where ingest puts the callbacks of one event-loop turn in one job). Returns the answers.
 */
async function burst(port: number, bodies: readonly unknown[]): Promise<unknown[]> {
  const sockets: Socket[] = [];
  try {
    for (const _ of bodies) {
      const socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
      sockets.push(socket);
    }
    const answers = sockets.map(async (socket) => {
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (text += chunk));
      while (!text.includes('"ErrorCode"')) await once(socket, 'data');
      return JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as unknown;
    });
    sockets.forEach((socket, i) => {
      const body = JSON.stringify(bodies[i]);
      socket.write(
        `POST /im/callback?${FRIEND_ADD} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    });
    return await Promise.all(answers);
  } finally {
    for (const socket of sockets) socket.destroy();
  }
}

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

  it('applies every callback of a burst once, and skips their redeliveries within the window', async () => {
    const bodies = Array.from({ length: 16 }, (_, i) => friendAdd(i));
    expect(await burst(stack.ports.ingest, bodies)).to.deep.equal(Array(16).fill(OK));
    // Tencent delivering the same callbacks again, within DEDUPE_WINDOW_NO_EVENT_TIME_MS: answered OK
    expect(await burst(stack.ports.ingest, bodies)).to.deep.equal(Array(16).fill(OK));

    const rows = await eventually(
      async () => {
        const r = await stack.query<{ from_account: string; status: string }>(
          `SELECT from_account, status FROM $schema.friendships WHERE sdk_app_id = $1 AND from_account LIKE 'batch-%'`,
          [SDK_APP_ID],
        );
        return r.rows.length === 16 ? r.rows : undefined;
      },
      10_000,
      '16 friendships',
    );
    expect(rows.every((r) => r.status === 'friend')).to.equal(true);
    const ingest = (await stack.metrics('ingest')).get('imsync_callbacks_received_total');
    const received = (result: string) =>
      ingest?.samples.find((s) => s.labels.command === 'Sns.CallbackFriendAdd' && s.labels.result === result)
        ?.value ?? 0;
    expect(received('enqueued')).to.equal(16);
    expect(received('duplicate')).to.equal(16);

    // the worker applied each once; the redeliveries that reached it (in a batch) were skipped, never applied
    await eventually(async () =>
      (await processed('Sns.CallbackFriendAdd', 'applied')) >= 16 ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 300)); // the second burst's jobs, if any, are done by now
    expect(await processed('Sns.CallbackFriendAdd', 'applied')).to.equal(16);
    const batches = (await stack.metrics('sync-worker'))
      .get('imsync_job_duration_seconds')
      ?.samples.find((s) => s.name.endsWith('_count') && s.labels.command === 'batch');
    expect(batches?.value ?? 0, 'at least one burst reached ingest together and was one job').to.be.above(0);
  });
});
