import type { Db } from '../db.js';
import { applySnapshot } from './apply-snapshot.js';
import { countingChanges, type Changes } from './changes.js';
import { Checkpoints, PARTS, type Part } from './checkpoint.js';
import { headOf, type Snapshot } from './snapshot.js';
import { RUNNERS, type PartContext } from './parts.js';
import type { TencentSource } from './source.js';

export interface SweepOptions {
  readonly sdkAppId: number;
  /** The checkpoint's name: `backfill` or `reconcile` (each resumes its own). */
  readonly sweep: string;
  readonly parts: readonly Part[];
  /** RECONCILE_CLOCK_MARGIN_MS: a snapshot's version is its request's send time minus this. */
  readonly marginMs: number;
  /** Extra user ids to read (a users file). */
  readonly users?: readonly string[];
  /** Extra custom profile tags to read. */
  readonly profileTags?: readonly string[];
  readonly onProgress?: (p: Progress) => void;
  readonly onItemError?: (e: { part: Part; id: string; code: number; message: string }) => void;
  readonly signal?: AbortSignal;
  readonly now?: () => number;
}

export interface Progress {
  readonly part: Part;
  readonly done: number;
  /** null while unknown */
  readonly total: number | null;
  readonly finished: boolean;
}

export interface SweepSummary {
  readonly sdkAppId: number;
  readonly parts: readonly Part[];
  /** true when the run continued an interrupted one */
  readonly resumed: boolean;
  readonly changes: Changes;
  readonly calls: number;
  readonly retries: number;
  /** REST calls by endpoint and result, when the source tells */
  readonly callsByEndpoint: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** per-item errors (an account or group Tencent answered an error for), by part */
  readonly errors: Record<string, number>;
  readonly snapshots: number;
  readonly durationMs: number;
}

/**
 * Reads Tencent's state part by part and merges each answer into the stores as a snapshot (see
 * `applySnapshot`), keeping a checkpoint per part in PostgreSQL after every batch. Run again after an
 * interruption, it continues where the checkpoints say; run again after it finished, it starts afresh.
 */
export async function runSweep(db: Db, source: TencentSource, o: SweepOptions): Promise<SweepSummary> {
  const now = o.now ?? Date.now;
  const started = now();
  const checkpoints = new Checkpoints(db, o.sdkAppId, o.sweep);
  const parts = PARTS.filter((p) => o.parts.includes(p));
  let states = await checkpoints.load();
  const resumed = parts.some((p) => states.has(p)) && !parts.every((p) => states.get(p)?.done);
  if (!resumed) {
    // a new run: every part to do, recorded at once so that a run stopped before its first batch resumes
    await checkpoints.reset(parts);
    states = new Map();
    for (const part of parts) await checkpoints.save(part, { cursor: null, done: false });
  }
  const changes: Changes = {};
  const errors: Record<string, number> = {};
  let snapshots = 0;
  const apply = async (s: Snapshot) => {
    await countingChanges(db, s, () => applySnapshot(db, s), changes);
    snapshots++;
  };
  const ctx: PartContext = {
    db,
    source,
    o,
    sentAt: now,
    head: (subject, sentAt) => headOf(o.sdkAppId, sentAt, o.marginMs, subject),
    apply,
    itemError: (part, id, code, message) => {
      errors[part] = (errors[part] ?? 0) + 1;
      o.onItemError?.({ part, id, code, message });
    },
  };
  for (const part of parts) {
    const state = states.get(part) ?? { cursor: null, done: false };
    if (state.done) continue;
    await RUNNERS[part](ctx, state.cursor, async (cursor, done, total) => {
      await checkpoints.save(part, { cursor, done });
      o.onProgress?.({ part, done: done ? (total ?? 0) : Number(cursor?.count ?? 0), total, finished: done });
    });
    await checkpoints.save(part, { cursor: null, done: true });
    o.signal?.throwIfAborted();
  }
  const { calls, retries, byEndpoint } = source.stats();
  return {
    sdkAppId: o.sdkAppId,
    parts,
    resumed,
    changes,
    calls,
    retries,
    callsByEndpoint: byEndpoint ?? {},
    errors,
    snapshots,
    durationMs: now() - started,
  };
}
