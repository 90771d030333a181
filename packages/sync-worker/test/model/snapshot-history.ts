import fc from 'fast-check';
import type { SyncJobData } from '@imsync/callbacks';
import type { Snapshot, SnapshotKind } from '../../src/backfill/snapshot.js';
import { APPS, deliveryArb, GROUPS, T0, USERS } from './history.js';
import { modelEvent, StoreModel } from './model.js';
import { requestVersion, tencentSnapshot, type SnapshotRequest } from './snapshots.js';

const GROUP_KINDS: readonly SnapshotKind[] = ['group', 'members', 'attributes', 'topics'];
const USER_KINDS: readonly SnapshotKind[] = ['profile', 'online', 'friends', 'blocklist'];
const SPAN = 15;

/** Tencent's state just before `version`: the callbacks older than it, applied in order. */
export function tencentAt(history: readonly SyncJobData[], version: bigint): StoreModel {
  return StoreModel.of(history.filter((j) => modelEvent(j).version < version));
}

/** The snapshots Tencent answers to `requests` (those it answers with an error left out). */
export function snapshotsOf(
  history: readonly SyncJobData[],
  requests: readonly SnapshotRequest[],
): Snapshot[] {
  const seen = new Set<string>();
  const out: Snapshot[] = [];
  for (const r of requests) {
    const version = requestVersion(r);
    if (seen.has(version.toString())) continue;
    seen.add(version.toString());
    const s = tencentSnapshot(tencentAt(history, version), r, version);
    if (s) out.push(s);
  }
  return out;
}

const requestArb: fc.Arbitrary<SnapshotRequest> = fc.oneof(
  fc.record({
    kind: fc.constantFrom(...GROUP_KINDS),
    app: fc.constantFrom(...APPS),
    id: fc.constantFrom(...GROUPS),
    time: fc.integer({ min: 0, max: SPAN }).map((t) => T0 + t),
  }),
  fc.record({
    kind: fc.constantFrom(...USER_KINDS),
    app: fc.constantFrom(...APPS),
    id: fc.constantFrom(...USERS),
    time: fc.integer({ min: 0, max: SPAN }).map((t) => T0 + t),
  }),
);

/** One delivery: a callback job, or a snapshot applied by the sweep. */
export type Delivered = { readonly job: SyncJobData } | { readonly snapshot: Snapshot };

/**
 * A history of callbacks and snapshots of Tencent's state at random times among them, delivered shuffled,
 * some of them twice.
 */
export const mixedDeliveryArb = deliveryArb
  .chain(({ history, delivery }) =>
    fc.array(requestArb, { minLength: 1, maxLength: 10 }).map((requests) => ({
      history,
      delivery,
      snapshots: snapshotsOf(history, requests),
    })),
  )
  .chain(({ history, delivery, snapshots }) =>
    fc
      .array(fc.constantFrom(...(snapshots.length ? snapshots : [null])), {
        maxLength: Math.ceil(snapshots.length / 2),
      })
      .chain((dups) => {
        const items: Delivered[] = [
          ...delivery.map((job) => ({ job })),
          ...[...snapshots, ...dups].flatMap((snapshot) => (snapshot ? [{ snapshot }] : [])),
        ];
        return fc.shuffledSubarray(items, { minLength: items.length });
      })
      .map((mixed) => ({ history, snapshots, delivery: mixed })),
  );

/** Every entity's final snapshot, read after every callback: what a complete sweep reads. */
export function finalRequests(): SnapshotRequest[] {
  const time = T0 + SPAN + 1;
  return APPS.flatMap((app) => [
    ...GROUPS.flatMap((id) => GROUP_KINDS.map((kind) => ({ kind, app, id, time }))),
    ...USERS.flatMap((id) => USER_KINDS.map((kind) => ({ kind, app, id, time }))),
  ]);
}

/**
 * A history whose callbacks are delivered only in part (the others were lost), with every entity's final
 * snapshot, all shuffled.
 */
export const lossyDeliveryArb = deliveryArb.chain(({ history }) =>
  fc
    .subarray(history)
    .chain((received) => {
      const snapshots = snapshotsOf(history, finalRequests());
      const items: Delivered[] = [
        ...received.map((job) => ({ job })),
        ...snapshots.map((snapshot) => ({ snapshot })),
      ];
      return fc.shuffledSubarray(items, { minLength: items.length });
    })
    .map((delivery) => ({ history, delivery })),
);
