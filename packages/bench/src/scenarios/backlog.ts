import { DEFAULT_BATCH_MAX } from '@imsync/callbacks';
import { log, type Context } from '../context.js';
import type { Child } from '../proc.js';
import type { Results } from '../results.js';
import { startSyncWorker } from '../services.js';
import { preload } from './drain.js';

const S = 'Worker backlog';

/**
 * The sync-worker's peak RSS when it starts on a large backlog: N callbacks waiting in batch jobs of
 * INGEST_BATCH_MAX (64, as ingest makes them under load), the queue running when the worker starts; the
 * peak over its first S seconds of draining.
 */
export async function backlog(ctx: Context, results: Results): Promise<void> {
  const { backlogCallbacks: n, backlogSeconds: seconds } = ctx.opts;
  const prefix = ctx.newPrefix('backlog');
  const schema = ctx.newSchema('backlog');
  log(`${S}: preloading ${n} callbacks in batches of ${DEFAULT_BATCH_MAX}`);
  const q = await preload(ctx, prefix, ctx.newTag('bl'), DEFAULT_BATCH_MAX, n);
  let worker: Child | undefined;
  try {
    await q.queue.resume();
    worker = await startSyncWorker(ctx, { prefix, schema, name: 'sync-worker-backlog' });
    await worker.guard(new Promise((r) => setTimeout(r, seconds * 1000)));
    const c = await q.counts();
    await worker.stop();
    const applied = c.completed * DEFAULT_BATCH_MAX;
    log(`${S}: about ${applied} callbacks applied in ${seconds} s; peak RSS ${worker.peakRss()} B`);
    results.figure({
      scenario: S,
      metric: 'sync-worker peak RSS starting on a backlog',
      value: worker.peakRss(),
      unit: 'B',
      target: { op: '<=', bound: 250 * 1024 * 1024, text: '≤ 250 MB' },
      note: `VmHWM over its first ${seconds} s on ${n.toLocaleString('en-US')} callbacks waiting in jobs of ${DEFAULT_BATCH_MAX}; ${c.completed} jobs done meanwhile`,
    });
    results.check(S, 'no job failed', c.failed === 0, `${c.failed} failed`);
    results.rss('sync-worker', worker);
  } finally {
    await worker?.stop();
    await q.close();
    await ctx.dropPrefix(prefix);
    await ctx.dropSchema(schema);
  }
}
