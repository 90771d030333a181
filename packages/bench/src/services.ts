import { freePort, serviceLaunch } from '@imsync/testing';
import { BENCH_DIR, REPO_ROOT, type Context } from './context.js';
import { Child, firstMessage, waitReady } from './proc.js';

/** A server under load: its process and the URL path callbacks are posted to. */
export interface Target {
  readonly name: string;
  readonly child: Child;
  readonly host: string;
  readonly port: number;
  readonly path: string;
}

export const CALLBACK_PATH = '/im/callback';

/** Only what a service needs: nothing from the bench's own environment leaks into the measurement. */
function baseEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production' };
}

/** A TypeScript file of the bench, run by tsx in a process of its own. */
export function tsChild(name: string, file: string, ctx: Context, env: NodeJS.ProcessEnv = {}): Child {
  return new Child({
    name,
    args: ['--import', 'tsx', `${BENCH_DIR}src/${file}`],
    cwd: BENCH_DIR,
    env: { ...baseEnv(), ...env },
    logFile: ctx.logFile(name),
    ipc: true,
  });
}

export interface IngestOptions {
  readonly prefix: string;
  readonly name?: string;
  /** `node --cpu-prof` into this folder. */
  readonly profileDir?: string;
  /** More environment (a setting to compare side by side). */
  readonly env?: Readonly<Record<string, string>>;
}

/** The real ingest service (packages/ingest/dist/main.js), configured as in production. */
export async function startIngest(ctx: Context, o: IngestOptions): Promise<Target> {
  const [port, adminPort] = [await freePort(), await freePort()];
  const name = o.name ?? 'ingest';
  const child = new Child({
    name,
    args: [
      ...(o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`] : []),
      // as its start script and the Dockerfile run it
      ...serviceLaunch('ingest').nodeFlags,
      serviceLaunch('ingest').main,
    ],
    cwd: REPO_ROOT,
    env: {
      ...baseEnv(),
      REDIS_URL: ctx.redisUrl,
      QUEUE_PREFIX: o.prefix,
      INGEST_HOST: '127.0.0.1',
      INGEST_PORT: String(port),
      ADMIN_HOST: '127.0.0.1',
      ADMIN_PORT: String(adminPort),
      CALLBACK_PATH,
      IM_APPS: `${ctx.sdkAppId}:${ctx.token}`,
      LOG_LEVEL: 'info',
      ...o.env,
    },
    logFile: ctx.logFile(name),
  });
  await waitReady(child, `http://127.0.0.1:${adminPort}/readyz`);
  return { name, child, host: '127.0.0.1', port, path: CALLBACK_PATH };
}

export interface WorkerOptions {
  readonly prefix: string;
  readonly schema: string;
  readonly name?: string;
  /** `node --cpu-prof` into this folder. */
  readonly profileDir?: string;
}

/** The real sync-worker (packages/sync-worker/dist/main.js); it runs its migrations before it is ready. */
export async function startSyncWorker(ctx: Context, o: WorkerOptions): Promise<Child> {
  const adminPort = await freePort();
  const child = new Child({
    name: o.name ?? 'sync-worker',
    args: [
      ...(o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`] : []),
      ...serviceLaunch('sync-worker').nodeFlags,
      serviceLaunch('sync-worker').main,
    ],
    cwd: REPO_ROOT,
    env: {
      ...baseEnv(),
      REDIS_URL: ctx.redisUrl,
      DATABASE_URL: ctx.databaseUrl,
      DB_SCHEMA: o.schema,
      QUEUE_PREFIX: o.prefix,
      WORKER_CONCURRENCY: String(ctx.opts.concurrency),
      WORKER_ADMIN_HOST: '127.0.0.1',
      WORKER_ADMIN_PORT: String(adminPort),
      LOG_LEVEL: 'info',
    },
    logFile: ctx.logFile(o.name ?? 'sync-worker'),
  });
  await waitReady(child, `http://127.0.0.1:${adminPort}/readyz`, 60_000);
  return child;
}

/** A baseline server (src/baselines/*.ts); it says `ready` over IPC once it listens. */
export async function startBaseline(
  ctx: Context,
  name: string,
  file: 'bare-koa.ts' | 'naive-enqueue.ts',
  prefix?: string,
): Promise<Target> {
  const port = await freePort();
  const child = tsChild(name, `baselines/${file}`, ctx, {
    PORT: String(port),
    CALLBACK_PATH,
    REDIS_URL: ctx.redisUrl,
    ...(prefix ? { QUEUE_PREFIX: prefix } : {}),
  });
  await firstMessage(child);
  return { name, child, host: '127.0.0.1', port, path: CALLBACK_PATH };
}

/** A BullMQ worker with an empty processor (src/baselines/empty-worker.ts). */
export async function startEmptyWorker(ctx: Context, prefix: string): Promise<Child> {
  const child = tsChild('empty-worker', 'baselines/empty-worker.ts', ctx, {
    REDIS_URL: ctx.redisUrl,
    QUEUE_PREFIX: prefix,
    WORKER_CONCURRENCY: String(ctx.opts.concurrency),
  });
  await firstMessage(child);
  return child;
}
