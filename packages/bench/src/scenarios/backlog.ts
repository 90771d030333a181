import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_BATCH_MAX } from '@imsync/callbacks';
import { log, type Context } from '../context.js';

const S = 'Worker backlog';

/**
 * The sync-worker's peak RSS when it starts on a large backlog: N callbacks waiting in batch jobs of
 * INGEST_BATCH_MAX (as ingest makes them under load), the queue running when the worker starts; the peak
 * over its first S seconds of draining.
 */
export function backlog(ctx: Context): Promise<void> {
  const { backlogCallbacks: n, backlogSeconds: seconds } = ctx.opts;
  return ctx.scoped(async () => {
    const [prefix, schema] = [ctx.prefix('backlog'), ctx.schema('backlog')];
    log(`${S}: preloading ${n} callbacks in batches of ${DEFAULT_BATCH_MAX}`);
    const q = ctx.queue(prefix);
    await q.preload(ctx.sdkAppId, ctx.newTag('bl'), n, DEFAULT_BATCH_MAX);
    await q.queue.resume();
    const worker = await ctx.syncWorker('sync-worker-backlog', prefix, schema);
    await ctx.guard(sleep(seconds * 1000));
    const c = await q.counts();
    await worker.stop(10_000);
    ctx.figure(S, 'sync-worker peak RSS starting on a backlog', worker.peakRss(), 'B', {
      note: `VmHWM over its first ${seconds} s on ${n} callbacks waiting in jobs of ${DEFAULT_BATCH_MAX}; ${c.completed} jobs done meanwhile`,
    });
    ctx.check(S, 'no job failed', c.failed === 0, `${c.failed} failed (${await q.firstFailure()})`);
  });
}
