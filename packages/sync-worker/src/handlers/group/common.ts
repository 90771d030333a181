import type { SyncEvent } from '@imsync/callbacks';
import { GROUP, type GroupKey } from '../../stores/groups.js';
import { write, type Write } from '../../stores/lww.js';

export const groupKey = (e: SyncEvent, groupId: string): GroupKey => ({ sdkAppId: e.sdkAppId, groupId });

/** The group's `Type` when the event carries it. */
export function typeWrite(e: SyncEvent, type: string | undefined): Write[] {
  return type === undefined ? [] : [write(GROUP.type, e.version, { type })];
}

/** Distinct accounts of a `[{Member_Account}]` list, in order. */
export const accountsOf = (list: readonly { Member_Account: string }[] | undefined): string[] => [
  ...new Set((list ?? []).map((m) => m.Member_Account)),
];
