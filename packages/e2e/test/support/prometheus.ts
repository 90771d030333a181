/** A small parser of the Prometheus text exposition format (what prom-client serves), strict enough to fail on garbage. */

export interface MetricSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  type: string;
  help: string;
  readonly samples: MetricSample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;
const SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created'];

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const m = LABEL.exec(text);
    if (!m?.[1]) throw new Error(`bad labels in metrics line: ${line}`);
    labels[m[1]] = (m[2] ?? '').replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

function parseValue(raw: string, line: string): number {
  // as Prometheus reads them (Go's ParseFloat): case does not matter; prom-client writes "Nan"
  if (/^\+?inf$/i.test(raw)) return Infinity;
  if (/^-inf$/i.test(raw)) return -Infinity;
  if (/^nan$/i.test(raw)) return NaN;
  const v = Number(raw);
  if (Number.isNaN(v)) throw new Error(`bad value in metrics line: ${line}`);
  return v;
}

export function parsePrometheus(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const family = (name: string): MetricFamily => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type: 'untyped', help: '', samples: [] }));
    return f;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const meta = /^#\s+(HELP|TYPE)\s+(\S+)\s*(.*)$/.exec(line);
    if (meta) {
      const f = family(meta[2] ?? '');
      if (meta[1] === 'TYPE') f.type = meta[3] ?? '';
      else f.help = meta[3] ?? '';
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m?.[1] || m[3] === undefined) throw new Error(`bad metrics line: ${line}`);
    const name = m[1];
    const owner =
      families.has(name) && families.get(name)?.type !== 'untyped'
        ? name
        : (SUFFIXES.map((s) => (name.endsWith(s) ? name.slice(0, -s.length) : '')).find(
            (n) => n && families.has(n),
          ) ?? name);
    family(owner).samples.push({
      name,
      labels: parseLabels(m[2] ?? '', line),
      value: parseValue(m[3], line),
    });
  }
  return families;
}

/** The samples of a family whose labels include `labels`. */
export function samplesOf(
  families: Map<string, MetricFamily>,
  sampleName: string,
  labels: Record<string, string> = {},
): MetricSample[] {
  const out: MetricSample[] = [];
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name === sampleName && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) out.push(s);
    }
  }
  return out;
}

/** The sum of the matching samples' values (0 when none matches). */
export function sumOf(
  families: Map<string, MetricFamily>,
  sampleName: string,
  labels: Record<string, string> = {},
): number {
  return samplesOf(families, sampleName, labels).reduce((sum, s) => sum + s.value, 0);
}
