import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
export function serviceLaunch(service: Service): ServiceLaunch {
  const dir = fileURLToPath(new URL(`../../${service}/`, import.meta.url));
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts?: { start?: string } };
  const start = pkg.scripts?.start ?? '';
  const m = /^node((?: --[\w-]+(?:=\S+)?)*) dist\/main\.js$/.exec(start);
  if (!m)
    throw new Error(`@imsync/${service}: start script "${start}" is not "node [--option …] dist/main.js"`);
  return { nodeFlags: m[1]!.split(' ').filter(Boolean), main: join(dir, 'dist', 'main.js') };
}
