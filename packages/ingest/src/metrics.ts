import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { lookupCommand } from '@imsync/callbacks';

/** Commands Tencent does not document share one label value, so a caller cannot grow the label set. */
const label = (command: unknown): string =>
  typeof command === 'string' && lookupCommand(command) ? command : command ? 'unknown' : 'none';

/** ingest's Prometheus metrics, on its own registry. */
export class IngestMetrics {
  readonly registry = new Registry();
  private readonly received = new Counter({
    name: 'imsync_callbacks_received_total',
    help: 'Callbacks received, by command and result (enqueued, duplicate, allowed, unrouted, or the rejection reason)',
    labelNames: ['command', 'result'] as const,
    registers: [this.registry],
  });
  readonly ackLatency = new Histogram({
    name: 'imsync_ack_latency_seconds',
    help: 'Time from receiving a callback to answering it',
    labelNames: ['result'] as const,
    buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
    registers: [this.registry],
  });
  readonly enqueueLatency = new Histogram({
    name: 'imsync_enqueue_latency_seconds',
    help: 'Time Redis took to accept a job',
    labelNames: ['queue'] as const,
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  accepted(command: string, result: 'enqueued' | 'duplicate' | 'allowed' | 'unrouted' | 'dropped'): void {
    this.received.inc({ command: label(command), result });
  }

  rejected(command: unknown, reason: string): void {
    this.received.inc({ command: label(command), result: reason });
  }
}
