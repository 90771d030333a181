import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { lookupCommand } from '@imsync/callbacks';

/** Commands Tencent does not document share one label value, so a caller cannot grow the label set. */
const label = (command: unknown): string =>
  typeof command === 'string' && lookupCommand(command) ? command : command ? 'unknown' : 'none';

/** ingest's Prometheus metrics, on its own registry. */
export class IngestMetrics {
  readonly registry = new Registry();
  private readonly receivedTotal = new Counter({
    name: 'imsync_callbacks_received_total',
    help: 'Callbacks received, by command and result (enqueued, duplicate, allowed, unrouted, dropped, or the rejection reason)',
    labelNames: ['command', 'result'] as const,
    registers: [this.registry],
  });
  private readonly ackLatencySeconds = new Histogram({
    name: 'imsync_ack_latency_seconds',
    help: 'Time from receiving a callback to answering it',
    labelNames: ['result'] as const,
    buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
    registers: [this.registry],
  });
  private readonly enqueueLatencySeconds = new Histogram({
    name: 'imsync_enqueue_latency_seconds',
    help: 'Time Redis took to accept a job',
    labelNames: ['queue'] as const,
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });

  // Label children are looked up once: prom-client hashes a label object on every call otherwise.
  private readonly ackOk = this.ackLatencySeconds.labels('ok');
  private readonly ackFail = this.ackLatencySeconds.labels('fail');
  private readonly enqueueSync = this.enqueueLatencySeconds.labels('sync');
  private readonly enqueueUnrouted = this.enqueueLatencySeconds.labels('unrouted');
  /** command label → result → counter child; bounded, since unknown commands share one label. */
  private readonly receivedChildren = new Map<string, Map<string, Counter.Internal>>();

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** A callback answered after `seconds`, OK or not. */
  answered(ok: boolean, seconds: number): void {
    (ok ? this.ackOk : this.ackFail).observe(seconds);
  }

  /** Redis accepted a job on `queue` after `seconds`. */
  enqueued(queue: 'sync' | 'unrouted', seconds: number): void {
    (queue === 'sync' ? this.enqueueSync : this.enqueueUnrouted).observe(seconds);
  }

  accepted(command: string, result: 'enqueued' | 'duplicate' | 'allowed' | 'unrouted' | 'dropped'): void {
    this.received(label(command), result).inc();
  }

  rejected(command: unknown, reason: string): void {
    this.received(label(command), reason).inc();
  }

  private received(command: string, result: string): Counter.Internal {
    let byResult = this.receivedChildren.get(command);
    if (!byResult) this.receivedChildren.set(command, (byResult = new Map()));
    let child = byResult.get(result);
    if (!child) byResult.set(result, (child = this.receivedTotal.labels(command, result)));
    return child;
  }
}
