/**
 * Baseline "empty processor": a BullMQ Worker on the sync queue that does nothing with each job, at the
 * sync-worker's concurrency and with its Redis options. Prints `ready` once connected.
 */
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { SYNC_QUEUE } from '@imsync/callbacks';

const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  maxRetriesPerRequest: null,
});
const worker = new Worker(SYNC_QUEUE, async () => undefined, {
  connection,
  prefix: process.env.QUEUE_PREFIX ?? 'empty',
  concurrency: Number(process.env.WORKER_CONCURRENCY ?? 16),
});
worker.on('error', (err) => process.stderr.write(`empty worker: ${err.message}\n`));
await worker.waitUntilReady();
process.stdout.write('ready\n');
const stop = () => void worker.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
