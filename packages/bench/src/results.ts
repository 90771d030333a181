import type { Check, Figure } from './report.js';

/** What the scenarios found: figures (with targets), checks, and raw details for the JSON. */
export class Results {
  readonly figures: Figure[] = [];
  readonly checks: Check[] = [];
  readonly details: Record<string, unknown> = {};
  /** Peak RSS per service, bytes (the largest of every process of that service). */
  readonly peakRss = new Map<string, number>();
  /** Peak RSS of every process, by its name (bytes). */
  readonly peakRssByProcess: Record<string, number> = {};

  figure(f: Figure): void {
    this.figures.push(f);
  }

  check(scenario: string, name: string, ok: boolean, detail: string): void {
    this.checks.push({ scenario, name, ok, detail });
  }

  /** Records a process's peak RSS under its service (`ingest`, `sync-worker`, a baseline). */
  rss(service: string, child: { readonly opts: { readonly name: string }; peakRss(): number }): void {
    const bytes = child.peakRss();
    this.peakRssByProcess[child.opts.name] = bytes;
    this.peakRss.set(service, Math.max(this.peakRss.get(service) ?? 0, bytes));
  }
}
