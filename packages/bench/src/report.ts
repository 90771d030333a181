import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import type { Context } from './context.js';
import { MB } from './stats.js';

/** A target of the issue a figure is held to. */
export interface Target {
  readonly op: '>=' | '<=';
  readonly bound: number;
  /** As the issue states it, e.g. "≥ 0.6 × bare Koa". */
  readonly text: string;
}

export interface Figure {
  readonly scenario: string;
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  readonly target?: Target;
  readonly note?: string;
}

/** A correctness check made after a scenario (every OK answer is in Redis, every event in the stores…). */
export interface Check {
  readonly scenario: string;
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export const passes = (f: Figure): boolean | undefined =>
  f.target === undefined
    ? undefined
    : f.target.op === '>='
      ? f.value >= f.target.bound
      : f.value <= f.target.bound;

export interface Machine {
  readonly cores: number;
  readonly cpu: string;
  readonly memoryGb: number;
  readonly node: string;
  readonly platform: string;
  readonly date: string;
  /** 1-minute load average when the run started and when it ended: other work on the machine skews figures. */
  readonly loadAverage: { readonly start: number; readonly end: number };
  /** Its URL and persistence settings: `appendfsync always` makes every write wait for the disk. */
  readonly redis: string;
}

export function machine(ctx: Context): Machine {
  const c = cpus();
  return {
    cores: c.length,
    cpu: c[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: ctx.startedAt.toISOString(),
    loadAverage: { start: ctx.loadAtStart, end: Math.round(loadavg()[0]! * 100) / 100 },
    redis: `${ctx.redisUrl} (${ctx.redisPersistence})`,
  };
}

/** A number as a person reads it: 12,345 / 1.23 / 0.456. */
export function fmt(n: number, unit = ''): string {
  if (!Number.isFinite(n)) return 'n/a';
  if (unit === 'B') return `${(n / MB).toFixed(1)} MB`;
  const abs = Math.abs(n);
  const s =
    abs >= 1000
      ? Math.round(n).toLocaleString('en-US')
      : abs >= 100
        ? n.toFixed(0)
        : abs >= 10
          ? n.toFixed(1)
          : n.toFixed(2);
  return unit && unit !== 'x' ? `${s} ${unit}` : unit === 'x' ? `${s}×` : s;
}

const verdict = (f: Figure) => {
  const p = passes(f);
  return p === undefined ? '' : p ? 'PASS' : 'FAIL';
};

function rows(figures: readonly Figure[]): string[][] {
  return figures.map((f) => [
    f.scenario,
    f.metric,
    fmt(f.value, f.unit),
    f.target?.text ?? '',
    verdict(f),
    f.note ?? '',
  ]);
}

const HEAD = ['scenario', 'figure', 'value', 'target', 'result', 'note'];

export function textTable(figures: readonly Figure[]): string {
  const all = [HEAD, ...rows(figures)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(all[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

export interface Report {
  readonly machine: Machine;
  readonly command: string;
  readonly options: Record<string, unknown>;
  readonly figures: readonly Figure[];
  readonly checks: readonly Check[];
  readonly details: Record<string, unknown>;
  readonly profile?: string;
}

export function markdown(r: Report): string {
  const m = r.machine;
  const table = [
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map(() => '---').join('|')}|`,
    ...rows(r.figures).map((row) => `| ${row.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`),
  ];
  const checks = r.checks.map((c) => `- ${c.ok ? '✅' : '❌'} **${c.scenario}**: ${c.name}: ${c.detail}`);
  return [
    `# imsync benchmark, ${m.date}`,
    '',
    `Machine: ${m.cores} cores (${m.cpu}), ${m.memoryGb} GB, ${m.platform}, Node ${m.node}. ` +
      `Redis and PostgreSQL on the same machine; Redis ${m.redis}. ` +
      `Load average (1 min) ${m.loadAverage.start} at the start, ${m.loadAverage.end} at the end.`,
    `Command: \`${r.command}\``,
    '',
    ...table,
    '',
    '## Checks',
    '',
    ...checks,
    ...(r.profile ? ['', '## CPU profiles', '', '```', r.profile, '```'] : []),
    '',
  ].join('\n');
}

/** Writes `<name>.json` and `<name>.md` (and `latest.*`) into bench-results/. */
export function writeReport(ctx: Context, r: Report): string[] {
  const base = `${ctx.outDir}/bench-${ctx.runId}${ctx.opts.quick ? '-quick' : ''}`;
  const json = JSON.stringify(r, null, 2);
  const md = markdown(r);
  writeFileSync(`${base}.json`, json);
  writeFileSync(`${base}.md`, md);
  writeFileSync(`${ctx.outDir}/latest.json`, json);
  writeFileSync(`${ctx.outDir}/latest.md`, md);
  return [`${base}.json`, `${base}.md`];
}
