#!/usr/bin/env node
import { runBackfill } from './cli.js';
import { createTencentSource } from './tencent-source.js';

/** `backfill --app <SDKAppID> …`: Ctrl-C (or SIGTERM) stops after the current batch, checkpoint kept. */
const controller = new AbortController();
let signals = 0;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (++signals > 1) process.exit(130); // a second Ctrl-C: at once (the last checkpoint stands)
    process.stderr.write('\nbackfill: stopping after the current batch (Ctrl-C again to stop at once)\n');
    controller.abort(new Error(`${sig} received`));
  });
}

runBackfill(process.argv.slice(2), process.env, {
  createSource: createTencentSource,
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
}).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`backfill: failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
