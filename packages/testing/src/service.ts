/** The services as production starts them: how tests and the benchmark launch ingest and the sync-worker. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess, type NodeProcess, type SpawnOptions } from './process.js';

export type Service = 'ingest' | 'sync-worker';

export interface ServiceLaunch {
  /** The node options it runs with, e.g. `--heap-growing-percent=50`. */
  readonly nodeFlags: readonly string[];
  /** Its built entry point. */
  readonly main: string;
}

/**
 * How a service runs in production: its package's `start` script, `node [--option …] dist/main.js`, which
 * the Dockerfile's CMD repeats. Tests and the benchmark start services the same way.
 */
export function serviceLaunch(service: Service, root?: string): ServiceLaunch {
  const dir = root
    ? join(root, 'packages', service)
    : fileURLToPath(new URL(`../../${service}/`, import.meta.url));
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts?: { start?: string } };
  const start = pkg.scripts?.start ?? '';
  const m = /^node((?: --[\w-]+(?:=\S+)?)*) dist\/main\.js$/.exec(start);
  if (!m)
    throw new Error(`@imsync/${service}: start script "${start}" is not "node [--option …] dist/main.js"`);
  return { nodeFlags: m[1]!.split(' ').filter(Boolean), main: join(dir, 'dist', 'main.js') };
}

export interface ServiceOptions extends Partial<Omit<SpawnOptions, 'args' | 'env'>> {
  /** More node options before the service's own (`--cpu-prof`, …). */
  readonly nodeFlags?: readonly string[];
  /** The log line that says it is ready: `ingest listening`, `sync-worker started`. */
  readonly ready?: string;
  readonly timeoutMs?: number;
  /** Another imsync checkout, built, whose service runs instead of this one's (a before/after comparison). */
  readonly root?: string;
}

/**
 * Starts a service from its built dist/ as production runs it (`serviceLaunch`), with only `env` (and
 * PATH, NODE_ENV=production), and waits until it logs that it is ready.
 */
export function startService(
  service: Service,
  env: Readonly<Record<string, string>>,
  opts: ServiceOptions = {},
): Promise<NodeProcess> {
  const launch = serviceLaunch(service, opts.root);
  const ready = opts.ready ?? (service === 'ingest' ? 'ingest listening' : 'sync-worker started');
  return startProcess(
    {
      ...opts,
      name: opts.name ?? service,
      args: [...(opts.nodeFlags ?? []), ...launch.nodeFlags, launch.main],
      env,
    },
    (l) => l.msg === ready,
    opts.timeoutMs,
  );
}
