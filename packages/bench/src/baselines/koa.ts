/**
 * Baselines "bare Koa" (koa + @koa/router + koa-bodyparser answering Tencent's OK body, nothing else) and,
 * with QUEUE_PREFIX, "naive enqueue" (the same plus one BullMQ `queue.add(command, body)` per request, with
 * the Redis options ingest uses, and no authentication, validation, deduplication or metrics). Run in a
 * process of its own by the bench (PORT, CALLBACK_PATH, REDIS_URL); prints `ready` once listening.
 */
import { once } from 'node:events';
import Router from '@koa/router';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { SYNC_QUEUE } from '@imsync/callbacks';
import { FAIL_FAST_REDIS_OPTIONS } from '@imsync/service-kit';
import Koa, { type Middleware } from 'koa';
import bodyParser from 'koa-bodyparser';

const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };
const prefix = process.env.QUEUE_PREFIX;
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const connection = prefix ? new Redis(url, FAIL_FAST_REDIS_OPTIONS) : undefined;
if (connection) await once(connection, 'ready');
const queue = connection && new Queue(SYNC_QUEUE, { connection, prefix });

const answer: Middleware = queue
  ? async (ctx) => {
      await queue.add(String(ctx.query.CallbackCommand), ctx.request.body);
      ctx.body = OK;
    }
  : (ctx) => {
      ctx.body = OK;
    };
const router = new Router();
router.post(process.env.CALLBACK_PATH ?? '/im/callback', bodyParser({ enableTypes: ['json'] }), answer);
const server = new Koa().use(router.routes()).listen(Number(process.env.PORT), '127.0.0.1');
await once(server, 'listening');
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  server.close();
  void Promise.resolve(queue?.close()).finally(() => process.exit(0));
});
