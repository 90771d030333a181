import type { Logger } from 'pino';
import type { SyncEvent } from '@imsync/callbacks';
import type { HandlerResult } from './handlers/types.js';
import type { WorkerMetrics } from './metrics.js';

/** Records what was done with one callback: its lag, a count by result, and a log line for a skip. */
export function recordOutcome(
  metrics: WorkerMetrics,
  logger: Logger,
  jobId: string | undefined,
  event: SyncEvent,
  result: HandlerResult,
): void {
  metrics.lag.observe({ command: event.command }, Math.max(0, Date.now() - event.eventTime) / 1000);
  metrics.processed.inc({ command: event.command, result: 'applied' in result ? 'applied' : 'skipped' });
  if ('skipped' in result) logger.info({ jobId, command: event.command, reason: result.skipped }, 'skipped');
}
