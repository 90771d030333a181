/**
 * The load generator, in a process of its own (never the measured server's): distinct, validly signed
 * callbacks of every synced command, as the kit's payload builder makes them, for the app of IM_APPS
 * (`SDKAppID:token`), to CALLBACK_PATH. Takes one LoadRequest at a time over IPC and answers its result:
 * - `closed`: autocannon, CONNECTIONS requests in flight, for `seconds`;
 * - `open`: `rate` callbacks a second on schedule, whatever the answers do, over a pool of CONNECTIONS
 *   keep-alive connections (as wrk2 -c N -R rate): a request that finds them all busy waits, and the wait
 *   counts in its latency, measured from when it was due.
 */
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { callbackQuery, payload, PAYLOAD_COMMANDS } from '@imsync/testing';

export interface LoadRequest {
  readonly mode: 'closed' | 'open';
  readonly port: number;
  /** The payload series (unique per run). */
  readonly tag: string;
  readonly seconds: number;
  readonly rate?: number;
}
/** Requests sent, answered 2xx (`ok`) or not (`bad`); the 2xx answers' latency, ms (1 ms resolution). */
export type ClosedResult = Awaited<ReturnType<typeof closed>>;
/** Per request i (the payload index): HTTP status (-1 error, 0 no answer), when due, when answered (ms). */
export type OpenResult = Awaited<ReturnType<typeof open>>;

const env = process.env;
const connections = Number(env.CONNECTIONS);
const headers = { 'content-type': 'application/json' };

/** The n-th request of a series: Sign and RequestTime of the current second, as Tencent sends them. */
function traffic(req: LoadRequest): (n: number) => { path: string; body: string } {
  const [sdkAppId, token] = String(env.IM_APPS).split(':');
  const signed = { sdkAppId: sdkAppId!, token, clientIp: '127.0.0.1', optPlatform: 'Android' };
  let [second, paths] = [-1, [] as string[]];
  return (n) => {
    const now = Math.floor(Date.now() / 1000);
    if (now !== second) {
      second = now;
      const query = (command: string) => callbackQuery({ ...signed, command, requestTime: now });
      paths = PAYLOAD_COMMANDS.map((command) => `${env.CALLBACK_PATH}?${query(command)}`);
    }
    return { path: paths[n % paths.length]!, body: JSON.stringify(payload(req.tag, n).body) };
  };
}

async function closed(req: LoadRequest) {
  const next = traffic(req);
  let n = 0;
  const r = await autocannon({
    url: `http://127.0.0.1:${req.port}`,
    connections,
    duration: req.seconds,
    timeout: 10,
    requests: [{ method: 'POST', headers, setupRequest: (base) => ({ ...base, ...next(n++) }) }],
  });
  const [ok, bad] = [r['2xx'], r.non2xx + r.errors + r.timeouts];
  return { seconds: r.duration, sent: r.requests.sent, ok, bad, p50: r.latency.p50, p99: r.latency.p99 };
}

/** Kept between runs against the same server: a run does not pay for new connections. */
const agents = new Map<number, Agent>();
const wall = () => performance.timeOrigin + performance.now();

async function open(req: LoadRequest) {
  const rate = req.rate!;
  const next = traffic(req);
  const total = Math.round(rate * req.seconds);
  const agent = agents.get(req.port) ?? new Agent({ keepAlive: true, maxSockets: connections });
  agents.set(req.port, agent);
  const status = new Array<number>(total).fill(0);
  const dueAt = new Array<number>(total).fill(0);
  const answeredAt = new Array<number>(total).fill(0);
  let [sent, settled, allSettled] = [0, 0, () => {}];
  const done = new Promise<void>((r) => (allSettled = r));
  const settle = (i: number, s: number) => {
    [status[i], answeredAt[i]] = [s, wall()];
    if (++settled === total) allSettled();
  };
  const start = performance.now();
  const fire = (i: number) => {
    const { path, body } = next(i);
    dueAt[i] = performance.timeOrigin + start + (i * 1000) / rate;
    const r = request({ agent, host: '127.0.0.1', port: req.port, method: 'POST', path, headers }, (res) =>
      res.resume().on('end', () => settle(i, res.statusCode ?? 0)),
    );
    r.on('error', () => settle(i, -1));
    r.end(body);
  };
  for (;;) {
    const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
    while (sent < due) fire(sent++);
    if (sent === total) break;
    await sleep(1);
  }
  const achievedRate = total / ((performance.now() - start) / 1000);
  await Promise.race([done, sleep(15_000, undefined, { ref: false })]);
  return { status, dueAt, answeredAt, achievedRate };
}

process.on('message', (m: LoadRequest) => {
  (m.mode === 'open' ? open(m) : closed(m)).then(
    (r) => process.send?.(r),
    (err: Error) => process.send?.({ error: err.stack ?? err.message }),
  );
});
process.on('disconnect', () => process.exit(0));
process.stdout.write('ready\n');
