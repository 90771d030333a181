import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The documented sample bodies (copied from shared/tencent-im/samples), with their query strings. */
export const SAMPLES_DIR = fileURLToPath(new URL('../fixtures/samples/', import.meta.url));

export interface Sample {
  readonly command: string;
  readonly body: Record<string, unknown>;
  /** The sample's query string, as documented (SdkAppid=888888). */
  readonly query: URLSearchParams;
}

export function loadSamples(): Sample[] {
  return readdirSync(SAMPLES_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => loadSample(f.slice(0, -'.json'.length)));
}

export function loadSample(command: string): Sample {
  const body = JSON.parse(readFileSync(`${SAMPLES_DIR}${command}.json`, 'utf8')) as Record<string, unknown>;
  const query = new URLSearchParams(readFileSync(`${SAMPLES_DIR}${command}.query.txt`, 'utf8').trim());
  return { command, body, query };
}
