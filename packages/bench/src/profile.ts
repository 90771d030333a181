/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per package.
 * Standalone: `npx tsx packages/bench/src/profile.ts <file.cpuprofile> [top]`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly busyMs: number;
  readonly functions: { name: string; where: string; area: string; selfMs: number }[];
  /** Time with the function on the stack (counted once per sample, whatever the recursion). */
  readonly inclusive: { name: string; where: string; area: string; ms: number }[];
  readonly areas: { area: string; selfMs: number }[];
}

/** Only the samples between these offsets from the profile's start (e.g. the load, not the start-up). */
export interface Window {
  readonly fromMs?: number;
  readonly toMs?: number;
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
  return url
    .replace(/^file:\/\//, '')
    .replace(/^.*node_modules\//, '')
    .replace(/^.*\/packages\//, 'packages/');
}

export function summarizeProfile(file: string, window: Window = {}): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const describe = (id: number) => {
    const cf = byId.get(id)!.callFrame;
    const name = cf.functionName || '(anonymous)';
    const where = cf.url ? `${shortUrl(cf.url)}:${cf.lineNumber + 1}` : '';
    return { key: `${name}@${where}`, name, where, area: areaOf(cf.url, name) };
  };
  const fromUs = (window.fromMs ?? 0) * 1000;
  const toUs = (window.toMs ?? Infinity) * 1000;
  const self = new Map<number, number>();
  let t = 0;
  let totalUs = 0;
  for (let k = 0; k < p.samples.length; k++) {
    // timeDeltas[k] is the time since the previous sample: charge it to the sample it leads to
    const dt = p.timeDeltas[k] ?? 0;
    t += dt;
    if (t < fromUs || t > toUs) continue;
    totalUs += dt;
    self.set(p.samples[k]!, (self.get(p.samples[k]!) ?? 0) + dt);
  }
  const fns = new Map<string, { name: string; where: string; area: string; selfMs: number }>();
  const incl = new Map<string, { name: string; where: string; area: string; ms: number }>();
  const areas = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of self) {
    const d = describe(id);
    const f = fns.get(d.key) ?? { name: d.name, where: d.where, area: d.area, selfMs: 0 };
    f.selfMs += us / 1000;
    fns.set(d.key, f);
    areas.set(d.area, (areas.get(d.area) ?? 0) + us / 1000);
    if (d.name !== '(idle)') busy += us / 1000;
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const a = describe(n);
      if (seen.has(a.key)) continue;
      seen.add(a.key);
      const e = incl.get(a.key) ?? { name: a.name, where: a.where, area: a.area, ms: 0 };
      e.ms += us / 1000;
      incl.set(a.key, e);
    }
  }
  return {
    totalMs: totalUs / 1000,
    busyMs: busy,
    functions: [...fns.values()].sort((a, b) => b.selfMs - a.selfMs),
    inclusive: [...incl.values()].sort((a, b) => b.ms - a.ms),
    areas: [...areas].map(([area, selfMs]) => ({ area, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
  };
}

/** Frames worth naming in the inclusive view: the app and the libraries it calls, not plumbing. */
const PLUMBING =
  /^(\(root\)|\(program\)|\(idle\)|\(garbage collector\)|dispatch|next|runMicrotasks|processTicksAndRejections|emit|onread|onStreamRead|parserOnHeadersComplete|parserOnIncoming|parserOnBody|parserOnMessageComplete|\(anonymous\))$/;

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
    '',
    `top ${top} functions by inclusive time (on the stack; app and library frames, plumbing left out):`,
    ...s.inclusive
      .filter((f) => f.area !== 'node core' && !f.area.startsWith('(') && !PLUMBING.test(f.name))
      .slice(0, top)
      .map((f) => `  ${pct(f.ms)}  ${f.name}  ${f.where}`),
  ];
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, top, fromMs, toMs] = process.argv.slice(2);
  if (!file) throw new Error('usage: profile.ts <file.cpuprofile> [top] [fromMs] [toMs]');
  const window = { fromMs: fromMs ? Number(fromMs) : undefined, toMs: toMs ? Number(toMs) : undefined };
  process.stdout.write(`${formatProfile(summarizeProfile(file, window), Number(top ?? 25))}\n`);
}
