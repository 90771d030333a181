import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import type { Context, Figure } from './context.js';

export function verdict({ target, value }: Figure): 'met' | 'missed' | '' {
  if (!target) return '';
  return (target.op === '>=' ? value >= target.bound : value <= target.bound) ? 'met' : 'missed';
}

/** A number as a person reads it: 12,345 / 123 / 12.3 / 1.23; bytes in MB; ratios with ×. */
export function fmt(n: number, unit: string): string {
  if (!Number.isFinite(n)) return 'n/a';
  if (unit === 'B') return `${(n / 1024 / 1024).toFixed(1)} MB`;
  const a = Math.abs(n);
  const s = a >= 1000 ? Math.round(n).toLocaleString('en-US') : n.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : 2);
  return unit === 'x' ? `${s}×` : `${s} ${unit}`;
}

/** The figures as a Markdown table, every column but the notes aligned: for the terminal too. */
function table(figures: readonly Figure[]): string {
  const head = ['scenario', 'figure', 'value', 'target', 'result', 'note'];
  const rows = figures.map((f) =>
    [f.scenario, f.metric, fmt(f.value, f.unit), f.target?.text ?? '', verdict(f), f.note ?? ''].map((c) =>
      c.replace(/\|/g, '\\|'),
    ),
  );
  const widths = head.map((_, i) => Math.max(...[head, ...rows].map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (i < 5 ? c.padEnd(widths[i]!) : c)).join(' | ')} |`;
  return [head, widths.map((w, i) => '-'.repeat(i < 5 ? w : 3)), ...rows].map(line).join('\n');
}

/**
 * Adds the peak RSS figures, writes bench-results/bench-<time>[-quick].{json,md} and latest.{json,md},
 * and prints the Markdown, the targets and where it is.
 */
export function report(ctx: Context, command: string, error?: Error): void {
  const peakRss = Object.fromEntries(ctx.processes.map((p) => [p.name, p.peakRss()]));
  for (const service of ['ingest', 'sync-worker']) {
    const [peak] = Object.entries(peakRss)
      .filter(([name]) => name.startsWith(service) && !name.includes('before'))
      .sort((a, b) => b[1] - a[1]);
    if (peak)
      ctx.figure('Memory', `${service} peak RSS`, peak[1], 'B', {
        note: `VmHWM, largest of the run (${peak[0]})`,
      });
  }
  const o = ctx.opts;
  const load = [ctx.loadAtStart, loadavg()[0]!].map((l) => Math.round(l * 100) / 100);
  const machine = {
    cores: cpus().length,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    date: ctx.startedAt.toISOString(),
    loadAverage: { start: load[0], end: load[1] },
    redis: `${ctx.redisUrl} (${ctx.redisPersistence})`,
  };
  const { figures, checks, details } = ctx;
  const options = { ...o, scenarios: [...o.scenarios], setups: [...o.setups] };
  const stack = error && (error.stack ?? error.message);
  const json = JSON.stringify(
    { machine, command, options, figures, checks, peakRss, details, error: stack },
    null,
    2,
  );
  const md = [
    `# imsync benchmark, ${machine.date}`,
    '',
    `Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGb} GB, Node ${machine.node}; ` +
      `Redis and PostgreSQL on the same machine; Redis ${machine.redis}. ` +
      `Load average (1 min) ${load[0]} at the start, ${load[1]} at the end.` +
      (o.profile ? ' Profiled (--cpu-prof): slower than unprofiled.' : ''),
    '',
    `Command: \`${command}\``,
    '',
    table(figures),
    '',
    '## Checks',
    '',
    ...checks.map((c) => `- ${c.ok ? 'ok' : 'FAILED'}: **${c.scenario}**: ${c.name}: ${c.detail}`),
    ...(stack ? ['', '## Error', '', '```', stack, '```'] : []),
  ].join('\n');
  const base = `${ctx.outDir}/bench-${ctx.runId}${o.quick ? '-quick' : ''}`;
  for (const file of [base, `${ctx.outDir}/latest`]) {
    writeFileSync(`${file}.json`, json);
    writeFileSync(`${file}.md`, `${md}\n`);
  }
  const target = (f: Figure) =>
    `  ${verdict(f).padEnd(6)}  ${f.scenario}: ${f.metric} ${fmt(f.value, f.unit)} (${f.target!.text})`;
  const profiles = o.profile ? `; CPU profiles in ${ctx.profileDir}` : '';
  const targets = ['Targets:', ...figures.filter((f) => f.target).map(target)].join('\n');
  process.stdout.write(`\n${md}\n\n${targets}\n\nWritten: ${base}.json, ${base}.md${profiles}\n`);
}
