import { FAIL_FAST_REDIS_OPTIONS } from '@imsync/service-kit';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import supertest from 'supertest';
import { SYNC_QUEUE, UNROUTED_QUEUE } from '@imsync/callbacks';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '@imsync/testing';
import { createApp } from '../src/app.js';
import { loadConfig, type IngestConfig } from '../src/config.js';
import { BullEnqueuer } from '../src/enqueuer.js';
import { IngestMetrics } from '../src/metrics.js';

/** The ioredis options production uses (main.ts): fail fast while Redis is down or slow. */
export const INGEST_REDIS_OPTIONS = FAIL_FAST_REDIS_OPTIONS;

/** An app without a token, the documented samples' SdkAppid. */
export const OPEN_APP = 888888;
/** An app with a token and a previous one (rotation). */
export const SIGNED_APP = 1400000001;
export const TOKEN = 'current-token-3f9a';
export const PREVIOUS_TOKEN = 'previous-token-77c1';
export const PATH = '/im/callback';

/** The test environment, parsed by the real config loader. */
export function testConfig(env: Record<string, string> = {}): IngestConfig {
  return loadConfig({
    IM_APPS: `${OPEN_APP},${SIGNED_APP}:${TOKEN}:${PREVIOUS_TOKEN}`,
    CALLBACK_PATH: PATH,
    ...env,
  });
}

export async function connectRedis(url = TEST_REDIS_URL): Promise<Redis> {
  const redis = new Redis(url, INGEST_REDIS_OPTIONS);
  redis.on('error', () => undefined); // failures surface through the calls
  await once(redis, 'ready');
  return redis;
}

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface Harness {
  readonly config: IngestConfig;
  readonly prefix: string;
  readonly request: supertest.Agent;
  /** A real HTTP server on a loopback port (the caller closes it). */
  listen(): Promise<Server>;
  readonly enqueuer: BullEnqueuer;
  readonly metrics: IngestMetrics;
  /** A plain connection to the same Redis, to look at keys. */
  readonly redis: Redis;
  readonly sync: Queue;
  readonly unrouted: Queue;
  /** The lines pino wrote so far. */
  logs(): LogLine[];
  /** The raw text pino wrote. */
  logText(): string;
  /** Jobs waiting on a queue, oldest first. */
  jobs(queue: 'sync' | 'unrouted'): Promise<Job[]>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly env?: Record<string, string>;
  readonly redisUrl?: string;
  readonly now?: () => number;
  /** Another harness's prefix: a second ingest replica on the same queues (the first one deletes it). */
  readonly prefix?: string;
}

/**
 * The public app on a real BullEnqueuer and a real Redis under a unique prefix, with queues on the same
 * prefix to look at what was enqueued, and pino writing into memory.
 */
export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const config = testConfig(opts.env);
  const prefix = opts.prefix ?? uniquePrefix('ingest');
  const redisUrl = opts.redisUrl ?? TEST_REDIS_URL;
  const connection = await connectRedis(redisUrl);
  const inspect = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  inspect.on('error', () => undefined);
  const enqueuer = new BullEnqueuer({
    connection,
    prefix,
    timeoutMs: config.enqueueTimeoutMs,
    maxBatch: config.batchMax,
  });
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  const logger = pino({ level: 'info' }, stream);
  const metrics = new IngestMetrics({ defaultMetrics: false });
  const app = createApp({ config, enqueuer, metrics, logger, now: opts.now });
  const sync = new Queue(SYNC_QUEUE, { connection: inspect, prefix });
  const unrouted = new Queue(UNROUTED_QUEUE, { connection: inspect, prefix });
  for (const q of [sync, unrouted]) q.on('error', () => undefined); // a test may stop Redis
  return {
    config,
    prefix,
    request: supertest.agent(app.callback()),
    listen: async () => {
      const server = createServer(app.callback());
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      return server;
    },
    enqueuer,
    metrics,
    redis: inspect,
    sync,
    unrouted,
    logs: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as LogLine),
    logText: () => chunks.join(''),
    jobs: async (queue) =>
      // BullMQ lists waiting jobs oldest first (sync job ids are random, not a sequence)
      (queue === 'sync' ? sync : unrouted).getWaiting(0, -1),
    close: async () => {
      await enqueuer.close();
      await sync.close();
      await unrouted.close();
      connection.disconnect();
      if (redisUrl === TEST_REDIS_URL && !opts.prefix) await deletePrefix(prefix);
      inspect.disconnect();
    },
  };
}

/** A query string as a sample's, with the given parameters changed (undefined removes one). */
export function queryOf(
  base: string | URLSearchParams | Record<string, string>,
  changes: Record<string, string | undefined> = {},
): string {
  const q = new URLSearchParams(base);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) q.delete(k);
    else q.set(k, v);
  }
  return q.toString();
}

/** Tencent's OK answer. */
export const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 } as const;

/** POSTs a raw body (a string is sent byte for byte) to the callback path with a query string. */
export function post(
  h: Harness,
  query: string,
  body: string | object,
  contentType: string | null = 'application/json',
): supertest.Test {
  const req = h.request.post(`${PATH}?${query}`);
  if (contentType !== null) req.set('Content-Type', contentType);
  return req.send(typeof body === 'string' ? body : JSON.stringify(body));
}
