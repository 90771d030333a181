/**
 * The closed-loop load generator (autocannon), in a process of its own: never in the process of the
 * server it measures. Receives `{ target, spec, connections, seconds }` over IPC, answers a LoadResult.
 */
import autocannon from 'autocannon';
import { Traffic, type TrafficSpec } from './traffic.js';

export interface LoadRequest {
  readonly host: string;
  readonly port: number;
  readonly spec: TrafficSpec;
  readonly connections: number;
  readonly seconds: number;
}

export interface LoadResult {
  readonly seconds: number;
  readonly sent: number;
  readonly ok: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly statusCodes: Record<string, number>;
  /** 2xx answers per second over the run. */
  readonly rps: number;
  /** Latency of 2xx answers, ms (autocannon's 1 ms resolution). */
  readonly latency: {
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly max: number;
    readonly mean: number;
  };
}

async function run(req: LoadRequest): Promise<LoadResult> {
  const traffic = new Traffic(req.spec);
  const result = await autocannon({
    url: `http://${req.host}:${req.port}`,
    connections: req.connections,
    duration: req.seconds,
    pipelining: 1,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (r) => {
          const next = traffic.next();
          return { ...r, path: next.path, body: next.body };
        },
      },
    ],
  });
  const lat = result.latency;
  return {
    seconds: result.duration,
    sent: result.requests.sent,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([k, v]) => [k, v.count ?? 0]),
    ),
    rps: result['2xx'] / result.duration,
    latency: { p50: lat.p50, p90: lat.p90, p99: lat.p99, max: lat.max, mean: lat.mean },
  };
}

process.on('message', (m: LoadRequest) => {
  run(m).then(
    (r) => process.send?.(r),
    (err: Error) => process.send?.({ error: err.stack ?? err.message }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
