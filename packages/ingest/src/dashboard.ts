import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { KoaAdapter } from '@bull-board/koa';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Middleware } from 'koa';
import { SYNC_QUEUE, UNROUTED_QUEUE } from '@imsync/callbacks';
import { basicAuth } from './basic-auth.js';

/** Where the dashboard lives on the admin port. */
export const DASHBOARD_PATH = '/admin/queues';

export interface DashboardOptions {
  readonly connection: Redis;
  readonly prefix: string;
  readonly user: string;
  readonly password: string;
  /** Every queue read-only: no retry, clean, promote, pause or remove (refused by the API too). */
  readonly readOnly: boolean;
}

export interface Dashboard {
  /** Serves DASHBOARD_PATH and below behind basic auth; passes every other path on. */
  readonly middleware: Middleware;
  close(): Promise<void>;
}

const DESCRIPTIONS: Record<string, string> = {
  [SYNC_QUEUE]: 'Callbacks waiting to be applied to PostgreSQL by sync-worker',
  [UNROUTED_QUEUE]: 'Callbacks imsync does not sync, kept for inspection',
};

/**
 * bull-board over the sync and unrouted queues. Uses the given connection (it does not connect by
 * itself); `close()` closes the queues it opened, not the connection.
 */
export function createDashboard(opts: DashboardOptions): Dashboard {
  const queues = [SYNC_QUEUE, UNROUTED_QUEUE].map((name) => {
    const q = new Queue(name, { connection: opts.connection, prefix: opts.prefix });
    q.on('error', () => undefined); // a failed call answers the dashboard with an error; never crash
    return q;
  });
  const serverAdapter = new KoaAdapter().setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: queues.map(
      (q) =>
        new BullMQAdapter(q, {
          readOnlyMode: opts.readOnly,
          allowRetries: !opts.readOnly,
          description: DESCRIPTIONS[q.name] ?? '',
        }),
    ),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'imsync' } },
  });
  const board = serverAdapter.registerPlugin();
  const auth = basicAuth({ user: opts.user, password: opts.password, realm: 'imsync dashboard' });
  const middleware: Middleware = async (ctx, next) => {
    if (ctx.path !== DASHBOARD_PATH && !ctx.path.startsWith(`${DASHBOARD_PATH}/`)) return next();
    await auth(ctx, () => board(ctx, next));
  };
  return {
    middleware,
    close: async () => {
      await Promise.allSettled(queues.map((q) => q.close()));
    },
  };
}
