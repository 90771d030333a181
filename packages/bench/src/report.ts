import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import type { Context, Figure } from './context.js';

export const verdict = (f: Figure): 'met' | 'missed' | '' =>
  f.target === undefined
    ? ''
    : (f.target.op === '>=' ? f.value >= f.target.bound : f.value <= f.target.bound)
      ? 'met'
      : 'missed';

/** A number as a person reads it: 12,345 / 123 / 12.3 / 1.23; bytes in MB; ratios with ×. */
export function fmt(n: number, unit: string): string {
  if (!Number.isFinite(n)) return 'n/a';
  if (unit === 'B') return `${(n / 1024 / 1024).toFixed(1)} MB`;
  const a = Math.abs(n);
  const s = a >= 1000 ? Math.round(n).toLocaleString('en-US') : n.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : 2);
  return unit === 'x' ? `${s}×` : `${s} ${unit}`;
}

const HEAD = ['scenario', 'figure', 'value', 'target', 'result', 'note'];
const rows = (figures: readonly Figure[]) =>
  figures.map((f) => [
    f.scenario,
    f.metric,
    fmt(f.value, f.unit),
    f.target?.text ?? '',
    verdict(f),
    f.note ?? '',
  ]);

/** The figures as an aligned plain-text table (the note column last, unaligned). */
export function textTable(figures: readonly Figure[]): string {
  const all = [HEAD, ...rows(figures)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all
    .map((r) =>
      r
        .map((c, i) => c.padEnd(i < HEAD.length - 1 ? widths[i]! : 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Writes bench-results/bench-<time>[-quick].{json,md} and latest.{json,md}; returns the two files. */
export function writeReport(ctx: Context, command: string, error?: Error): string[] {
  const c = cpus();
  const machine = {
    cores: c.length,
    cpu: c[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    date: ctx.startedAt.toISOString(),
    loadAverage: {
      start: Math.round(ctx.loadAtStart * 100) / 100,
      end: Math.round(loadavg()[0]! * 100) / 100,
    },
    redis: `${ctx.redisUrl} (${ctx.redisPersistence})`,
  };
  const report = {
    machine,
    command,
    options: { ...ctx.opts, scenarios: [...ctx.opts.scenarios], setups: [...ctx.opts.setups] },
    figures: ctx.figures,
    checks: ctx.checks,
    peakRss: ctx.peakRss,
    details: ctx.details,
    ...(error ? { error: error.stack ?? error.message } : {}),
  };
  const md = [
    `# imsync benchmark, ${machine.date}`,
    '',
    `Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGb} GB, Node ${machine.node}; Redis and ` +
      `PostgreSQL on the same machine; Redis ${machine.redis}. Load average (1 min) ${machine.loadAverage.start} ` +
      `at the start, ${machine.loadAverage.end} at the end.${ctx.opts.profile ? ' Profiled (--cpu-prof): slower than unprofiled.' : ''}`,
    '',
    `Command: \`${command}\``,
    '',
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map(() => '---').join('|')}|`,
    ...rows(ctx.figures).map((r) => `| ${r.map((x) => x.replace(/\|/g, '\\|')).join(' | ')} |`),
    '',
    '## Checks',
    '',
    ...ctx.checks.map((k) => `- ${k.ok ? 'ok' : 'FAILED'}: **${k.scenario}**: ${k.name}: ${k.detail}`),
    ...(error ? ['', '## Error', '', '```', error.stack ?? error.message, '```'] : []),
    '',
  ].join('\n');
  const base = `${ctx.outDir}/bench-${ctx.runId}${ctx.opts.quick ? '-quick' : ''}`;
  const json = JSON.stringify(report, null, 2);
  for (const [file, text] of [
    [`${base}.json`, json],
    [`${base}.md`, md],
    [`${ctx.outDir}/latest.json`, json],
    [`${ctx.outDir}/latest.md`, md],
  ] as const)
    writeFileSync(file, text);
  return [`${base}.json`, `${base}.md`];
}
