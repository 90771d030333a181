import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ConfigError, parseSdkAppId } from '@imsync/service-kit';
import { createPool, migrate } from '../db.js';
import { PARTS, type Part } from './checkpoint.js';
import { loadSweepConfig } from './config.js';
import { ProgressDisplay } from './progress.js';
import type { TencentSource } from './source.js';
import { runSweep, type SweepSummary } from './sweep.js';

export const USAGE = `Usage: backfill --app <SDKAppID> [--only ${PARTS.join(',')}] [--users-file <file>]

Reads the app's groups, members, attributes, topics, users' profiles and online state, friends and
blocklists from Tencent's REST API and merges them into the stores. Interrupted, the same command
continues from its checkpoint; run again after it finished, it reads everything afresh.

  --app          the SDKAppID (its secret key in IM_SECRET_KEY with IM_SDKAPPID, or in IM_SECRET_KEYS)
  --only         the parts to run, comma-separated (default: all, in the order above)
  --users-file   a file of user ids, one a line, read besides the users the stores know of
`;

export interface BackfillArgs {
  readonly app: number;
  readonly parts: readonly Part[];
  readonly usersFile: string | null;
}

/** Parses the command line; a bad argument throws a ConfigError that says what is wrong. */
export function parseBackfillArgs(argv: readonly string[]): BackfillArgs | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        app: { type: 'string' },
        only: { type: 'string' },
        'users-file': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  if (values.help) return 'help';
  if (values.app === undefined) throw new ConfigError("--app is required: the app's SDKAppID");
  const app = parseSdkAppId('--app', values.app);
  const only = values.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean) ?? [...PARTS];
  const unknown = only.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length || only.length === 0)
    throw new ConfigError(
      `--only takes parts among ${PARTS.join(',')}; unknown: ${unknown.join(',') || '(none given)'}`,
    );
  return { app, parts: only as Part[], usersFile: values['users-file'] ?? null };
}

/** A users file: one user id a line; blank lines and lines starting with # are skipped. */
export async function readUsersFile(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`--users-file ${path}: ${(err as Error).message}`);
  }
  return [
    ...new Set(
      text
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#')),
    ),
  ];
}

/** The summary printed at the end of a run. */
export function formatSummary(s: SweepSummary): string {
  const lines = [
    `backfill of app ${s.sdkAppId} ${s.resumed ? '(resumed) ' : ''}finished in ${(s.durationMs / 1000).toFixed(1)} s: ${s.parts.join(',')}`,
    `  ${'table'.padEnd(14)} ${'inserted'.padStart(9)} ${'changed'.padStart(9)} ${'ended'.padStart(9)}`,
    ...Object.entries(s.changes).map(
      ([t, c]) =>
        `  ${t.padEnd(14)} ${String(c.inserted).padStart(9)} ${String(c.changed).padStart(9)} ${String(c.ended).padStart(9)}`,
    ),
    `  snapshots applied: ${s.snapshots}; REST calls: ${s.calls}; retries: ${s.retries}; errors: ${
      Object.entries(s.errors)
        .map(([p, n]) => `${p} ${n}`)
        .join(', ') || '0'
    }`,
  ];
  return lines.join('\n') + '\n';
}

/**
 * Whether Tencent refused the credentials (the REST client's errors say so with `errorClass: 'auth'`, and
 * name the setting): a setting to fix, not an outage that running the same command again gets past.
 */
function isRefusedCredential(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { errorClass?: unknown }).errorClass === 'auth';
}

export interface BackfillDeps {
  /** The REST client for one app, adapted to the sweep's port; throws a ConfigError for bad settings. */
  readonly createSource: (
    sdkAppId: number,
    env: NodeJS.ProcessEnv,
  ) => Promise<TencentSource & { close?(): void }>;
  readonly stdout: { write(s: string): unknown; isTTY?: boolean };
  readonly stderr: { write(s: string): unknown };
  readonly signal?: AbortSignal;
}

/**
 * `backfill --app …`: parses its arguments and the environment, migrates the schema, runs the sweep with a
 * progress display and prints the summary. Returns the exit code: 0 done, 64 bad usage, 78 bad settings
 * (Tencent refusing the secret key or the admin account included), 1 stopped by an error (the checkpoint
 * is kept: the same command continues).
 */
export async function runBackfill(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  deps: BackfillDeps,
): Promise<number> {
  let args: BackfillArgs | 'help';
  try {
    args = parseBackfillArgs(argv);
  } catch (err) {
    deps.stderr.write(`backfill: ${(err as Error).message}\n\n${USAGE}`);
    return 64;
  }
  if (args === 'help') {
    deps.stdout.write(USAGE);
    return 0;
  }
  let source: TencentSource & { close?(): void };
  let config;
  let users: string[] = [];
  try {
    config = loadSweepConfig(env);
    if (args.usersFile) users = await readUsersFile(args.usersFile);
    source = await deps.createSource(args.app, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    deps.stderr.write(`backfill: configuration error: ${err.message}\n`);
    return 78;
  }
  await migrate(config.databaseUrl, config.dbSchema);
  const db = createPool(config.databaseUrl, config.dbSchema, 4);
  const progress = new ProgressDisplay(deps.stdout, deps.stdout.isTTY === true);
  try {
    const summary = await runSweep(db, source, {
      sdkAppId: args.app,
      sweep: 'backfill',
      parts: args.parts,
      marginMs: config.clockMarginMs,
      users,
      signal: deps.signal,
      onProgress: (p) => progress.update(p),
      onItemError: (e) =>
        deps.stderr.write(`backfill: ${e.part} ${e.id}: Tencent error ${e.code} ${e.message}\n`),
    });
    deps.stdout.write(formatSummary(summary));
    return 0;
  } catch (err) {
    if (isRefusedCredential(err)) {
      deps.stderr.write(`\nbackfill: configuration error: ${(err as Error).message}\n`);
      return 78;
    }
    deps.stderr.write(
      `\nbackfill: stopped: ${(err as Error).message}\nThe checkpoint is kept: run the same command to continue.\n`,
    );
    return 1;
  } finally {
    source.close?.();
    await db.end();
  }
}
