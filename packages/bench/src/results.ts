import type { Check, Figure } from './report.js';

/** What the scenarios found: figures (with targets), checks, and raw details for the JSON. */
export class Results {
  readonly figures: Figure[] = [];
  readonly checks: Check[] = [];
  readonly details: Record<string, unknown> = {};
  /** Peak RSS per service, bytes (the largest of every process of that service). */
  readonly peakRss = new Map<string, number>();

  figure(f: Figure): void {
    this.figures.push(f);
  }

  check(scenario: string, name: string, ok: boolean, detail: string): void {
    this.checks.push({ scenario, name, ok, detail });
  }

  rss(service: string, bytes: number): void {
    this.peakRss.set(service, Math.max(this.peakRss.get(service) ?? 0, bytes));
  }
}
