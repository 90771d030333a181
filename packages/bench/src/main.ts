/**
 * `npm run bench [-- options]`: imsync measured side by side against its baselines on the local Redis and
 * PostgreSQL, every server and load generator in a process of its own. Prints a table (each target met or
 * missed) and writes bench-results/bench-<time>.{json,md}. Exits 1 when a check fails or a process
 * crashes, and with --strict when a target is missed.
 */
import { ensureDatabase, killAll } from '@imsync/testing';
import { Context, log } from './context.js';
import { parseOptions, USAGE, type Scenario } from './options.js';
import { redisPersistence } from './queue.js';
import { fmt, textTable, verdict, writeReport } from './report.js';
import { backlog } from './scenarios/backlog.js';
import { drain } from './scenarios/drain.js';
import { endToEnd } from './scenarios/e2e.js';
import { throughput } from './scenarios/throughput.js';

const RUNNERS: Record<Scenario, (ctx: Context) => Promise<void>> = {
  throughput,
  drain,
  e2e: endToEnd,
  backlog,
};

async function main(): Promise<number> {
  const args = process.argv.slice(2).filter((a) => a !== '--');
  let opts;
  try {
    opts = parseOptions(args);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const ctx = new Context(opts);
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log('interrupted: stopping the processes and cleaning up (again to force)');
    void killAll();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  log(`imsync bench ${opts.quick ? '(quick) ' : ''}run ${ctx.runId}; logs in ${ctx.logDir}`);
  let error: Error | undefined;
  try {
    ctx.redisPersistence = await redisPersistence(ctx.redisUrl);
    log(`Redis ${ctx.redisUrl} (REDIS_URL): ${ctx.redisPersistence}`);
    if (await ensureDatabase(ctx.databaseUrl))
      log(`created the database ${new URL(ctx.databaseUrl).pathname.slice(1)}`);
    for (const s of opts.scenarios) {
      if (interrupted) throw new Error('interrupted');
      await RUNNERS[s](ctx);
    }
  } catch (err) {
    error = err as Error;
  } finally {
    await killAll();
    const problems = await ctx.cleanup();
    if (problems.length) log(`cleanup left: ${problems.join('; ')}`);
  }
  for (const [service, pattern] of [
    ['ingest', /^ingest/],
    ['sync-worker', /^sync-worker/],
  ] as const) {
    const peaks = Object.entries(ctx.peakRss).filter(([name]) => pattern.test(name));
    if (peaks.length) {
      const [name, bytes] = peaks.sort((a, b) => b[1] - a[1])[0]!;
      ctx.figure('Memory', `${service} peak RSS`, bytes, 'B', {
        note: `VmHWM, largest of the run (${name})`,
      });
    }
  }

  const files = writeReport(ctx, `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`, error);
  process.stdout.write(`\n${textTable(ctx.figures)}\n\n`);
  for (const c of ctx.checks)
    process.stdout.write(`${c.ok ? 'ok    ' : 'FAILED'} ${c.scenario}: ${c.name}: ${c.detail}\n`);
  process.stdout.write('\nTargets:\n');
  for (const f of ctx.figures.filter((x) => x.target))
    process.stdout.write(
      `  ${verdict(f).padEnd(6)}  ${f.scenario}: ${f.metric} ${fmt(f.value, f.unit)} (${f.target!.text})\n`,
    );
  process.stdout.write(
    `\nWritten: ${files.join(', ')}${opts.profile ? `; CPU profiles in ${ctx.profileDir}` : ''}\n`,
  );
  if (error) {
    process.stderr.write(`\nbench failed: ${error.message}\n`);
    return 1;
  }
  const failed = ctx.checks.filter((c) => !c.ok).length;
  if (failed) process.stderr.write(`\nbench failed: ${failed} check(s) failed\n`);
  const missed = ctx.figures.some((f) => verdict(f) === 'missed');
  return failed || (opts.strict && missed) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`bench: ${err.message}\n`);
    void killAll().finally(() => process.exit(1));
  },
);
