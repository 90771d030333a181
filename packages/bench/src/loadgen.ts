/**
 * The load generator, in a process of its own (never the measured server's): distinct, validly signed
 * callbacks of every synced command, as the kit's payload builder makes them. Takes one LoadRequest at
 * a time over IPC and answers its result:
 * - `closed`: autocannon, `connections` requests in flight, for `seconds`;
 * - `open`: `rate` callbacks a second on schedule, whatever the answers do, over a pool of `connections`
 *   keep-alive connections (as wrk2 -c N -R rate): a request that finds them all busy waits, and the wait
 *   counts in its latency, measured from when it was due.
 */
import { Agent, request } from 'node:http';
import autocannon from 'autocannon';
import { callbackQuery, payload, PAYLOAD_COMMANDS } from '@imsync/testing';

export interface LoadRequest {
  readonly mode: 'closed' | 'open';
  readonly port: number;
  readonly path: string;
  /** The payload series (unique per run). */
  readonly tag: string;
  readonly sdkAppId: number;
  readonly token: string;
  readonly connections: number;
  readonly seconds: number;
  readonly rate?: number;
}

export interface ClosedResult {
  readonly seconds: number;
  readonly sent: number;
  readonly ok: number;
  readonly bad: number;
  /** 2xx answers per second. */
  readonly rps: number;
  /** Latency of 2xx answers, ms (autocannon's 1 ms resolution). */
  readonly p50: number;
  readonly p99: number;
}

export interface OpenResult {
  /** Per request i (the payload index): HTTP status (-1 error, 0 no answer), when due, when answered (ms). */
  readonly status: number[];
  readonly dueAt: number[];
  readonly answeredAt: number[];
  readonly achievedRate: number;
}

/** The i-th request of a series: Sign and RequestTime of the current second, as Tencent sends them. */
function traffic(req: LoadRequest) {
  let second = -1;
  let paths: string[] = [];
  let i = 0;
  return {
    get count() {
      return i;
    },
    next() {
      const now = Math.floor(Date.now() / 1000);
      if (now !== second) {
        second = now;
        paths = PAYLOAD_COMMANDS.map(
          (command) =>
            `${req.path}?${callbackQuery({ sdkAppId: req.sdkAppId, command, token: req.token, requestTime: now, clientIp: '127.0.0.1', optPlatform: 'Android' })}`,
        );
      }
      const n = i++;
      return { i: n, path: paths[n % paths.length]!, body: JSON.stringify(payload(req.tag, n).body) };
    },
  };
}

async function closed(req: LoadRequest): Promise<ClosedResult> {
  const t = traffic(req);
  const r = await autocannon({
    url: `http://127.0.0.1:${req.port}`,
    connections: req.connections,
    duration: req.seconds,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (base) => ({ ...base, ...t.next() }),
      },
    ],
  });
  return {
    seconds: r.duration,
    sent: r.requests.sent,
    ok: r['2xx'],
    bad: r.non2xx + r.errors + r.timeouts,
    rps: r['2xx'] / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
  };
}

const agents = new Map<number, Agent>();
const wall = () => performance.timeOrigin + performance.now();

async function open(req: LoadRequest): Promise<OpenResult> {
  const rate = req.rate!;
  const t = traffic(req);
  const total = Math.round(rate * req.seconds);
  // the pool is kept between runs against the same server: a run does not pay for new connections
  const agent = agents.get(req.port) ?? new Agent({ keepAlive: true, maxSockets: req.connections });
  agents.set(req.port, agent);
  const status = new Array<number>(total).fill(0);
  const dueAt = new Array<number>(total).fill(0);
  const answeredAt = new Array<number>(total).fill(0);
  let settled = 0;
  let allSettled: () => void = () => undefined;
  const done = new Promise<void>((r) => (allSettled = r));
  const settle = (i: number, s: number) => {
    status[i] = s;
    answeredAt[i] = wall();
    if (++settled === total) allSettled();
  };
  const start = performance.now();
  const fire = () => {
    const { i, path, body } = t.next();
    dueAt[i] = performance.timeOrigin + start + (i * 1000) / rate;
    const r = request(
      {
        agent,
        host: '127.0.0.1',
        port: req.port,
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json' },
      },
      (res) => res.resume().on('end', () => settle(i, res.statusCode ?? 0)),
    );
    r.on('error', () => settle(i, -1));
    r.end(body);
  };
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
      while (t.count < due) fire();
      if (t.count < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  const achievedRate = total / ((performance.now() - start) / 1000);
  await Promise.race([done, new Promise((r) => setTimeout(r, 15_000).unref())]);
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
