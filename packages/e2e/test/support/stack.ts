import type { Agent } from 'node:http';
import { request } from 'node:http';
import pg from 'pg';
import {
  deletePrefix,
  dropSchema,
  freePort,
  startService,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  uniquePrefix,
  uniqueSchema,
  type NodeProcess,
} from '@imsync/testing';
import { parsePrometheus, type MetricFamily } from './prometheus.js';

export const SDK_APP_ID = 1400000001;

export interface StackOptions {
  readonly ingest?: boolean;
  readonly worker?: boolean;
  readonly redisUrl?: string;
  /** The worker's DATABASE_URL (a proxy, for instance); the test's own queries use TEST_DATABASE_URL. */
  readonly workerDatabaseUrl?: string;
  readonly ingestEnv?: Record<string, string>;
  readonly workerEnv?: Record<string, string>;
  readonly label?: string;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  readonly json: unknown;
}

/** A plain HTTP request (node:http, so that the test decides about keep-alive). */
export function httpRequest(
  url: string,
  opts: { method?: string; body?: string; headers?: Record<string, string>; agent?: Agent } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: opts.method ?? 'GET', headers: opts.headers, agent: opts.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/**
 * The real services, as processes of the kit's harness, on free ports, with a queue prefix and a database
 * schema of their own. `close()` stops them and removes what they wrote.
 */
export class Stack {
  ingest: NodeProcess | undefined;
  worker: NodeProcess | undefined;
  readonly db: pg.Pool;

  private constructor(
    readonly prefix: string,
    readonly schema: string,
    readonly ports: { readonly ingest: number; readonly admin: number; readonly workerAdmin: number },
    readonly opts: StackOptions,
  ) {
    this.db = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 2 });
  }

  static async start(opts: StackOptions = {}): Promise<Stack> {
    const label = opts.label ?? 'e2e';
    const ports = { ingest: await freePort(), admin: await freePort(), workerAdmin: await freePort() };
    const stack = new Stack(uniquePrefix(label), uniqueSchema(label.replace(/\W/g, '_')), ports, opts);
    try {
      await Promise.all([
        opts.ingest === false ? undefined : stack.startIngest(),
        opts.worker === false ? undefined : stack.startWorker(),
      ]);
    } catch (err) {
      await stack.close();
      throw err;
    }
    return stack;
  }

  ingestEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      REDIS_URL: this.opts.redisUrl ?? TEST_REDIS_URL,
      QUEUE_PREFIX: this.prefix,
      INGEST_HOST: '127.0.0.1',
      INGEST_PORT: String(this.ports.ingest),
      ADMIN_HOST: '127.0.0.1',
      ADMIN_PORT: String(this.ports.admin),
      IM_SDKAPPID: String(SDK_APP_ID),
      // no load balancer to wait for: a test that stops ingest does not wait for the drain unless it says so
      SHUTDOWN_DRAIN_MS: '0',
      ...this.opts.ingestEnv,
      ...extra,
    };
  }

  workerEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      REDIS_URL: this.opts.redisUrl ?? TEST_REDIS_URL,
      DATABASE_URL: this.opts.workerDatabaseUrl ?? TEST_DATABASE_URL,
      DB_SCHEMA: this.schema,
      QUEUE_PREFIX: this.prefix,
      WORKER_ADMIN_HOST: '127.0.0.1',
      WORKER_ADMIN_PORT: String(this.ports.workerAdmin),
      WORKER_CONCURRENCY: '4',
      ...this.opts.workerEnv,
      ...extra,
    };
  }

  async startIngest(extra: Record<string, string> = {}): Promise<NodeProcess> {
    this.ingest = await startService('ingest', this.ingestEnv(extra));
    return this.ingest;
  }

  async startWorker(extra: Record<string, string> = {}): Promise<NodeProcess> {
    this.worker = await startService('sync-worker', this.workerEnv(extra));
    return this.worker;
  }

  get ingestUrl(): string {
    return `http://127.0.0.1:${this.ports.ingest}`;
  }

  get adminUrl(): string {
    return `http://127.0.0.1:${this.ports.admin}`;
  }

  get workerAdminUrl(): string {
    return `http://127.0.0.1:${this.ports.workerAdmin}`;
  }

  /** POSTs a callback body as Tencent does: JSON, with the query string Tencent appends. */
  post(query: string, body: unknown, agent?: Agent): Promise<HttpAnswer> {
    return httpRequest(`${this.ingestUrl}/im/callback?${query}`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
      agent,
    });
  }

  async metrics(service: 'ingest' | 'sync-worker'): Promise<Map<string, MetricFamily>> {
    const res = await httpRequest(`${service === 'ingest' ? this.adminUrl : this.workerAdminUrl}/metrics`);
    if (res.status !== 200) throw new Error(`${service} /metrics answered ${res.status}`);
    return parsePrometheus(res.text);
  }

  query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    return this.db.query<R>(sql.replaceAll('$schema', `"${this.schema}"`), params);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.ingest?.stop(), this.worker?.stop()].filter(Boolean));
    await Promise.allSettled([this.ingest?.kill(), this.worker?.kill()].filter(Boolean));
    await this.db.end();
    await deletePrefix(this.prefix, this.opts.redisUrl ?? TEST_REDIS_URL).catch(() => undefined);
    await dropSchema(this.schema);
  }
}
