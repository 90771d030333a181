import { DEFAULT_BATCH_MAX } from '@imsync/callbacks';
import type { NodeProcess } from '@imsync/testing';
import { log, type Context } from '../context.js';
import { preload } from '../queue.js';

const S = 'Worker backlog';

/**
 * The sync-worker's peak RSS when it starts on a large backlog: N callbacks waiting in batch jobs of
 * INGEST_BATCH_MAX (as ingest makes them under load), the queue running when the worker starts; the peak
 * over its first S seconds of draining.
 */
export async function backlog(ctx: Context): Promise<void> {
  const { backlogCallbacks: n, backlogSeconds: seconds } = ctx.opts;
  const [prefix, schema] = [ctx.newPrefix('backlog'), ctx.newSchema('backlog')];
  log(`${S}: preloading ${n} callbacks in batches of ${DEFAULT_BATCH_MAX}`);
  const q = await preload(ctx.redisUrl, prefix, ctx.sdkAppId, ctx.newTag('bl'), n, DEFAULT_BATCH_MAX);
  let worker: NodeProcess | undefined;
  try {
    await q.queue.resume();
    worker = await ctx.startSyncWorker('sync-worker-backlog', prefix, schema);
    await worker.guard(new Promise((r) => setTimeout(r, seconds * 1000)));
    const c = await q.counts();
    await ctx.stop(worker);
    ctx.figure(S, 'sync-worker peak RSS starting on a backlog', worker.peakRss(), 'B', {
      note: `VmHWM over its first ${seconds} s on ${n} callbacks waiting in jobs of ${DEFAULT_BATCH_MAX}; ${c.completed} jobs done meanwhile`,
    });
    ctx.check(S, 'no job failed', c.failed === 0, `${c.failed} failed (${await q.firstFailure()})`);
  } finally {
    await ctx.stop(worker);
    await q.close();
    await ctx.drop({ prefix, schema });
  }
}
