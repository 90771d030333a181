import { request, type Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export interface OpenLoopOptions {
  readonly port: number;
  /** Requests a second, on schedule. */
  readonly rate: number;
  readonly seconds: number;
  /** Its keep-alive connections are the pool the requests share. */
  readonly agent: Agent;
  /** The i-th request, POSTed as JSON to 127.0.0.1:`port`. */
  readonly request: (i: number) => { path: string; body: string };
}

export interface OpenLoopResult {
  /** Per request i: HTTP status (-1 error, 0 none 15 s after the last send), when due, when answered (ms). */
  readonly status: number[];
  readonly dueAt: number[];
  readonly answeredAt: number[];
  readonly achievedRate: number;
}

/**
 * An open-loop load (as wrk2 -c N -R rate): `rate` requests a second on schedule, whatever the answers do;
 * a request that finds every connection of the pool busy waits, and the wait counts in its latency,
 * measured from when it was due.
 */
export async function openLoop(o: OpenLoopOptions): Promise<OpenLoopResult> {
  const total = Math.round(o.rate * o.seconds);
  const status = new Array<number>(total).fill(0);
  const dueAt = new Array<number>(total).fill(0);
  const answeredAt = new Array<number>(total).fill(0);
  const wall = () => performance.timeOrigin + performance.now();
  let [sent, settled, allSettled] = [0, 0, () => {}];
  const done = new Promise<void>((r) => (allSettled = r));
  const settle = (i: number, s: number) => {
    [status[i], answeredAt[i]] = [s, wall()];
    if (++settled === total) allSettled();
  };
  const headers = { 'content-type': 'application/json' };
  const start = performance.now();
  const fire = (i: number) => {
    const { path, body } = o.request(i);
    dueAt[i] = performance.timeOrigin + start + (i * 1000) / o.rate;
    const req = request(
      { agent: o.agent, host: '127.0.0.1', port: o.port, method: 'POST', path, headers },
      (res) => res.resume().on('end', () => settle(i, res.statusCode ?? 0)),
    );
    req.on('error', () => settle(i, -1));
    req.end(body);
  };
  for (;;) {
    const due = Math.min(total, Math.floor(((performance.now() - start) * o.rate) / 1000) + 1);
    while (sent < due) fire(sent++);
    if (sent === total) break;
    await sleep(1);
  }
  const achievedRate = total / ((performance.now() - start) / 1000);
  await Promise.race([done, sleep(15_000, undefined, { ref: false })]);
  return { status, dueAt, answeredAt, achievedRate };
}
