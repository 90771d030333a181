/**
 * Baseline "naive enqueue": bare Koa plus one BullMQ `queue.add(command, body)` per request, with the
 * Redis options ingest uses and no authentication, validation, deduplication or metrics.
 * Run in a process of its own by the bench (PORT, CALLBACK_PATH, REDIS_URL, QUEUE_PREFIX).
 */
import { once } from 'node:events';
import Router from '@koa/router';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { SYNC_QUEUE } from '@imsync/callbacks';
import { FAIL_FAST_REDIS_OPTIONS } from '@imsync/service-kit';
import Koa from 'koa';
import bodyParser from 'koa-bodyparser';

const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };

const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', FAIL_FAST_REDIS_OPTIONS);
await once(connection, 'ready');
const queue = new Queue(SYNC_QUEUE, { connection, prefix: process.env.QUEUE_PREFIX ?? 'naive' });

const app = new Koa();
const router = new Router();
router.post(
  process.env.CALLBACK_PATH ?? '/im/callback',
  bodyParser({ enableTypes: ['json'] }),
  async (ctx) => {
    await queue.add(String(ctx.query.CallbackCommand), ctx.request.body);
    ctx.body = OK;
  },
);
app.use(router.routes());

const server = app.listen(Number(process.env.PORT), '127.0.0.1');
await once(server, 'listening');
process.stdout.write('ready\n');
const stop = () => {
  server.close();
  void queue.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
