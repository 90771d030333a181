/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per package.
 * Standalone: `npx tsx packages/bench/src/profile.ts <file.cpuprofile> [top]`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly busyMs: number;
  readonly functions: { name: string; where: string; area: string; selfMs: number }[];
  readonly areas: { area: string; selfMs: number }[];
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** Where a script belongs: a package, node core, or V8 itself. */
export function areaOf(url: string, fn: string): string {
  if (SPECIAL.has(fn)) return fn;
  if (!url) return '(native)';
  if (url.startsWith('node:')) return 'node core';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  const pkg = /packages\/([^/]+)\//.exec(url);
  if (pkg) return `@imsync/${pkg[1]}`;
  return url;
}

function shortUrl(url: string): string {
  return url.replace(/^file:\/\//, '').replace(/^.*node_modules\//, '').replace(/^.*\/packages\//, 'packages/');
}

export function summarizeProfile(file: string): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let k = 0; k < p.samples.length; k++) {
    // timeDeltas[k] is the time since the previous sample: charge it to the sample it leads to
    self.set(p.samples[k]!, (self.get(p.samples[k]!) ?? 0) + (p.timeDeltas[k] ?? 0));
  }
  const fns = new Map<string, { name: string; where: string; area: string; selfMs: number }>();
  const areas = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of self) {
    const cf = byId.get(id)!.callFrame;
    const name = cf.functionName || '(anonymous)';
    const area = areaOf(cf.url, name);
    const where = cf.url ? `${shortUrl(cf.url)}:${cf.lineNumber + 1}` : '';
    const key = `${name}@${where}`;
    const f = fns.get(key) ?? { name, where, area, selfMs: 0 };
    f.selfMs += us / 1000;
    fns.set(key, f);
    areas.set(area, (areas.get(area) ?? 0) + us / 1000);
    if (name !== '(idle)') busy += us / 1000;
  }
  return {
    totalMs: (p.endTime - p.startTime) / 1000,
    busyMs: busy,
    functions: [...fns.values()].sort((a, b) => b.selfMs - a.selfMs),
    areas: [...areas].map(([area, selfMs]) => ({ area, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
  };
}

export function formatProfile(s: ProfileSummary, top = 25): string {
  const pct = (ms: number) => `${((100 * ms) / s.busyMs).toFixed(1).padStart(5)}%`;
  const lines = [
    `profiled ${(s.totalMs / 1000).toFixed(1)} s, busy (not idle) ${(s.busyMs / 1000).toFixed(1)} s; shares are of busy time`,
    '',
    'self time by package / area:',
    ...s.areas.slice(0, 15).map((a) => `  ${pct(a.selfMs)}  ${a.area}`),
    '',
    `top ${top} functions by self time:`,
    ...s.functions.slice(0, top).map((f) => `  ${pct(f.selfMs)}  ${f.name}  ${f.where}`),
  ];
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, top] = process.argv.slice(2);
  if (!file) throw new Error('usage: profile.ts <file.cpuprofile> [top]');
  process.stdout.write(`${formatProfile(summarizeProfile(file), Number(top ?? 25))}\n`);
}
