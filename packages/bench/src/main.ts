/**
 * `npm run bench [-- --quick] [-- --profile]`: imsync measured against its baselines on the local Redis
 * and PostgreSQL, each service and load generator in a process of its own. Prints a table and writes
 * bench-results/bench-<time>.{json,md}. Exit 1 when a check fails or a process crashes.
 */
import { Context, log } from './context.js';
import { parseOptions, type Scenario } from './options.js';
import { ensureDatabase } from './pg.js';
import { stopAll } from './proc.js';
import { fmt, machine, passes, textTable, writeReport } from './report.js';
import { redisPersistence } from './redis.js';
import { Results } from './results.js';
import { backlog } from './scenarios/backlog.js';
import { drain } from './scenarios/drain.js';
import { endToEnd } from './scenarios/e2e.js';
import { throughput } from './scenarios/throughput.js';

const RUNNERS: Record<Scenario, (ctx: Context, results: Results) => Promise<void>> = {
  throughput,
  drain,
  e2e: endToEnd,
  backlog,
};

function memoryFigures(results: Results): void {
  const ingest = results.peakRss.get('ingest');
  const worker = results.peakRss.get('sync-worker');
  if (ingest) {
    results.figure({
      scenario: 'Memory',
      metric: 'ingest peak RSS',
      value: ingest,
      unit: 'B',
      target: { op: '<=', bound: 150 * 1024 * 1024, text: '≤ 150 MB' },
      note:
        'VmHWM, largest ingest process of the run' +
        (results.peakRss.has('naive-enqueue')
          ? `; naive enqueue ${fmt(results.peakRss.get('naive-enqueue')!, 'B')}, bare Koa ${fmt(results.peakRss.get('bare-koa') ?? NaN, 'B')}`
          : ''),
    });
  }
  if (worker) {
    results.figure({
      scenario: 'Memory',
      metric: 'sync-worker peak RSS',
      value: worker,
      unit: 'B',
      target: { op: '<=', bound: 250 * 1024 * 1024, text: '≤ 250 MB' },
      note: 'VmHWM, largest sync-worker process of the run',
    });
  }
  results.details.peakRss = results.peakRssByProcess;
}

/** The CPU profile summaries of a --profile run, if any. */
function profiles(results: Results): string | undefined {
  const { profile, workerProfile } = results.details;
  const parts = [
    typeof profile === 'string' ? `ingest under the throughput load\n${profile}` : '',
    typeof workerProfile === 'string' ? `sync-worker draining the queue\n${workerProfile}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join('\n\n') : undefined;
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2).filter((a) => a !== '--'));
  const ctx = new Context(opts);
  const results = new Results();
  let fatal: Error | undefined;
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log('interrupted: stopping the processes and cleaning up (again to force)');
    void stopAll(2000);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  log(`imsync bench ${opts.quick ? '(quick) ' : ''}run ${ctx.runId}; logs in ${ctx.logDir}`);
  try {
    ctx.redisPersistence = await redisPersistence(ctx.redisUrl);
    log(`Redis ${ctx.redisUrl} (REDIS_URL): ${ctx.redisPersistence}`);
    if (
      ['drain', 'e2e', 'backlog'].some((s) => opts.scenarios.has(s as Scenario)) &&
      (await ensureDatabase(ctx.databaseUrl))
    )
      log(`created the database ${new URL(ctx.databaseUrl).pathname.slice(1)}`);
    for (const s of opts.scenarios) {
      if (interrupted) throw new Error('interrupted');
      await RUNNERS[s](ctx, results);
    }
  } catch (err) {
    fatal = err as Error;
  } finally {
    await stopAll();
    const problems = await ctx.cleanup();
    if (problems.length) log(`cleanup left: ${problems.join('; ')}`);
  }
  memoryFigures(results);

  const report = {
    machine: machine(ctx),
    command: `npm run bench${
      process.argv.length > 2
        ? ` -- ${process.argv
            .slice(2)
            .filter((a) => a !== '--')
            .join(' ')}`
        : ''
    }`,
    options: { ...opts, scenarios: [...opts.scenarios] },
    figures: results.figures,
    checks: results.checks,
    details: { ...results.details, ...(fatal ? { error: fatal.stack ?? fatal.message } : {}) },
    profile: profiles(results),
  };
  const files = writeReport(ctx, report);
  const m = report.machine;
  process.stdout.write(
    `\nMachine: ${m.cores} cores, ${m.cpu}, Node ${m.node}, ${m.date}; load average ${m.loadAverage.start} → ` +
      `${m.loadAverage.end}; Redis ${m.redis}\n\n${textTable(results.figures)}\n\n`,
  );
  for (const c of results.checks)
    process.stdout.write(`${c.ok ? 'ok  ' : 'FAIL'} ${c.scenario}: ${c.name}: ${c.detail}\n`);
  if (report.profile) process.stdout.write(`\nCPU profiles:\n${report.profile}\n`);
  process.stdout.write(`\nWritten: ${files.join(', ')}\n`);

  const failedChecks = results.checks.filter((c) => !c.ok);
  const missed = results.figures.filter((f) => passes(f) === false);
  if (missed.length)
    process.stdout.write(`Targets missed: ${missed.map((f) => `${f.scenario}: ${f.metric}`).join('; ')}\n`);
  if (fatal) {
    process.stderr.write(`\nbench failed: ${fatal.message}\n`);
    return 1;
  }
  if (failedChecks.length) {
    process.stderr.write(`\nbench failed: ${failedChecks.length} check(s) failed\n`);
    return 1;
  }
  return opts.strict && missed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`bench: ${err.stack ?? err.message}\n`);
    void stopAll(1000).finally(() => process.exit(1));
  },
);
