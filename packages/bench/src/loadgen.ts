/**
 * The load generator, in a process of its own (never the measured server's): distinct, validly signed
 * callbacks of every synced command, as the kit's payload builder makes them, for the app of IM_APPS
 * (`SDKAppID:token`), to CALLBACK_PATH. Takes one LoadRequest at a time over IPC and answers its result:
 * - `closed`: autocannon, CONNECTIONS requests in flight, for `seconds`;
 * - `open`: the kit's open loop, `rate` callbacks a second on schedule over a pool of CONNECTIONS
 *   keep-alive connections, latency measured from when each was due.
 */
import { Agent } from 'node:http';
import autocannon from 'autocannon';
import { callbackQuery, openLoop, payload, PAYLOAD_COMMANDS, type OpenLoopResult } from '@imsync/testing';

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

function open(req: LoadRequest): Promise<OpenLoopResult> {
  const agent = agents.get(req.port) ?? new Agent({ keepAlive: true, maxSockets: connections });
  agents.set(req.port, agent);
  return openLoop({ port: req.port, rate: req.rate!, seconds: req.seconds, agent, request: traffic(req) });
}

process.on('message', (m: LoadRequest) => {
  (m.mode === 'open' ? open(m) : closed(m)).then(
    (r) => process.send?.(r),
    (err: Error) => process.send?.({ error: err.stack ?? err.message }),
  );
});
process.on('disconnect', () => process.exit(0));
process.stdout.write('ready\n');
