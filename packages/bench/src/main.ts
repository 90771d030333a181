/**
 * `npm run bench [-- options]`: imsync measured side by side against its baselines on the local Redis and
 * PostgreSQL, every server and load generator in a process of its own. Prints a table (each target met or
 * missed) and writes bench-results/bench-<time>.{json,md}. Exits 1 when a check fails or a process
 * crashes, and with --strict when a target is missed.
 */
import { ensureDatabase, killAll } from '@imsync/testing';
import { Context, log } from './context.js';
import { parseOptions, USAGE, type BenchOptions } from './options.js';
import { report, verdict } from './report.js';
import { backlog } from './scenarios/backlog.js';
import { drain } from './scenarios/drain.js';
import { endToEnd } from './scenarios/e2e.js';
import { throughput } from './scenarios/throughput.js';

const SCENARIOS = { throughput, drain, e2e: endToEnd, backlog };

async function main(args: string[]): Promise<number> {
  let opts: BenchOptions;
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
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);

  log(`imsync bench ${opts.quick ? '(quick) ' : ''}run ${ctx.runId}; logs in ${ctx.logDir}`);
  let error: Error | undefined;
  try {
    // what each write to Redis costs: "appendonly yes, appendfsync everysec"
    const setting = (name: string) =>
      ctx.redis.config('GET', name).then(
        (reply) => `${name} ${String((reply as unknown[])[1])}`,
        () => `${name} unknown`,
      );
    ctx.redisPersistence = `${await setting('appendonly')}, ${await setting('appendfsync')}`;
    log(`Redis ${ctx.redisUrl} (REDIS_URL): ${ctx.redisPersistence}`);
    if (await ensureDatabase(ctx.databaseUrl))
      log(`created the database ${new URL(ctx.databaseUrl).pathname.slice(1)}`);
    for (const s of opts.scenarios) {
      if (interrupted) throw new Error('interrupted');
      await SCENARIOS[s](ctx);
    }
  } catch (err) {
    error = err as Error;
  } finally {
    await killAll();
    ctx.redis.disconnect();
  }
  report(ctx, `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`, error);
  const failed = ctx.checks.filter((c) => !c.ok).length;
  if (error || failed)
    process.stderr.write(`\nbench failed: ${error?.message ?? `${failed} check(s) failed`}\n`);
  return error || failed || (opts.strict && ctx.figures.some((f) => verdict(f) === 'missed')) ? 1 : 0;
}

main(process.argv.slice(2).filter((a) => a !== '--')).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`bench: ${err.message}\n`);
    void killAll().finally(() => process.exit(1));
  },
);
