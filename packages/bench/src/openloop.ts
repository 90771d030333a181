/**
 * The open-loop sender, in a process of its own: sends `rate` callbacks a second on schedule whatever
 * the answers do, over a fixed pool of keep-alive connections (like wrk2 -c N -R rate): a request that
 * finds every connection busy waits for one, and that wait counts in its latency. Records, per request,
 * when it was due and when its answer arrived (wall clock, sub-millisecond, same clock as PostgreSQL).
 */
import { Agent, request } from 'node:http';
import { Traffic, type TrafficSpec } from './traffic.js';

export interface OpenLoopRequest {
  readonly host: string;
  readonly port: number;
  readonly spec: TrafficSpec;
  readonly rate: number;
  readonly seconds: number;
  /** Connections of the pool (kept between runs against the same server). */
  readonly connections: number;
}

export interface OpenLoopResult {
  /** Per request i (the payload index): HTTP status (-1: error, 0: no answer), when it was due, when answered. */
  readonly status: number[];
  readonly dueAt: number[];
  readonly answeredAt: number[];
  /** The wall-clock send rate achieved, and how late the sender was on its schedule at worst. */
  readonly achievedRate: number;
  readonly maxLagMs: number;
}

const wall = () => performance.timeOrigin + performance.now();

const agents = new Map<string, Agent>();
function agentFor(req: OpenLoopRequest): Agent {
  const key = `${req.host}:${req.port}:${req.connections}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({ keepAlive: true, maxSockets: req.connections, maxFreeSockets: req.connections });
    agents.set(key, agent);
  }
  return agent;
}

async function run(req: OpenLoopRequest): Promise<OpenLoopResult> {
  const traffic = new Traffic(req.spec);
  const total = Math.round(req.rate * req.seconds);
  const agent = agentFor(req);
  const status = new Array<number>(total).fill(0);
  const dueAt = new Array<number>(total).fill(0);
  const answeredAt = new Array<number>(total).fill(0);
  let settled = 0;
  let maxLagMs = 0;
  let done: () => void = () => undefined;
  const allSettled = new Promise<void>((r) => (done = r));
  const settle = () => {
    if (++settled === total) done();
  };

  const fire = () => {
    const { i, path, body } = traffic.next();
    const r = request(
      {
        agent,
        host: req.host,
        port: req.port,
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          answeredAt[i] = wall();
          status[i] = res.statusCode ?? 0;
          settle();
        });
      },
    );
    r.on('error', () => {
      status[i] = -1;
      settle();
    });
    dueAt[i] = scheduled(i);
    r.end(body);
  };

  const start = performance.now();
  // when request i is due: latency counts from there, so a late sender does not hide a slow server
  const scheduled = (i: number) => performance.timeOrigin + start + (i * 1000) / req.rate;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - start;
      const due = Math.min(total, Math.floor((elapsed * req.rate) / 1000) + 1);
      if (due > traffic.count) maxLagMs = Math.max(maxLagMs, elapsed - (traffic.count * 1000) / req.rate);
      while (traffic.count < due) fire();
      if (traffic.count < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  const sendSeconds = (performance.now() - start) / 1000;
  const timeout = new Promise<void>((r) => setTimeout(r, 15_000).unref());
  await Promise.race([allSettled, timeout]);
  return { status, dueAt, answeredAt, achievedRate: total / sendSeconds, maxLagMs };
}

process.on('message', (m: OpenLoopRequest) => {
  run(m).then(
    (r) => process.send?.(r),
    (err: Error) => process.send?.({ error: err.stack ?? err.message }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
