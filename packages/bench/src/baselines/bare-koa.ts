/**
 * Baseline "bare Koa": koa + @koa/router + koa-bodyparser answering Tencent's OK body, nothing else.
 * Run in a process of its own by the bench (PORT, CALLBACK_PATH); prints `ready` once listening.
 */
import { once } from 'node:events';
import Router from '@koa/router';
import Koa from 'koa';
import bodyParser from 'koa-bodyparser';

const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };

const app = new Koa();
const router = new Router();
router.post(process.env.CALLBACK_PATH ?? '/im/callback', bodyParser({ enableTypes: ['json'] }), (ctx) => {
  ctx.body = OK;
});
app.use(router.routes());

const server = app.listen(Number(process.env.PORT), '127.0.0.1');
await once(server, 'listening');
process.stdout.write('ready\n');
process.on('SIGTERM', () => process.exit(0));
