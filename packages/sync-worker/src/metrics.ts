import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** sync-worker's Prometheus metrics, on its own registry. */
export class WorkerMetrics {
  readonly registry = new Registry();
  readonly processed = new Counter({
    name: 'imsync_jobs_processed_total',
    help: 'Jobs processed, by command and result (applied, skipped, requeued per callback; retry, failed per job)',
    labelNames: ['command', 'result'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'imsync_job_duration_seconds',
    help: 'Time to apply one job to PostgreSQL',
    labelNames: ['command'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly lag = new Histogram({
    name: 'imsync_event_to_applied_seconds',
    help: 'Time from the event (EventTime, else when ingest received it) to its job being applied',
    labelNames: ['command'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'imsync_queue_jobs',
    help: 'Jobs in a queue, by state',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });
  readonly oldestWaiting = new Gauge({
    name: 'imsync_queue_oldest_waiting_age_seconds',
    help: 'Age of the oldest waiting job (0 when none waits)',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });

  readonly storeAvailable = new Gauge({
    name: 'imsync_store_available',
    help: 'Whether the worker finds PostgreSQL reachable (0 while it is away and no job is taken)',
    registers: [this.registry],
  });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }
}
