import type { SyncEvent } from '@imsync/callbacks';
import type { StatementBuffer } from '../../db.js';
import { refreshEndedTopics, upsertGroup } from '../../stores/groups.js';
import { combine, upsertLww, type Write } from '../../stores/lww.js';
import { groupKey, typeWrite } from './common.js';

/**
 * Writes registers of several topics of one group. Locks the group's row first (writing its Type when the
 * event carries one), like every group event, so that a concurrent destroy of the group cannot miss a
 * topic; then the topics in topic order.
 */
export async function upsertTopics(
  buffer: StatementBuffer,
  e: SyncEvent,
  group: { readonly GroupId: string; readonly Type?: string | undefined },
  topics: readonly { topicId: string; writes: readonly Write[] }[],
): Promise<void> {
  const key = groupKey(e, group.GroupId);
  const rows = topics.map(({ topicId, writes }) => ({ topicId, ...combine(writes) }));
  const first = rows[0];
  if (!first) return;
  await upsertGroup(buffer, key, typeWrite(e, group.Type));
  await upsertLww(buffer, {
    table: 'topics',
    key: ['sdk_app_id', 'group_id', 'topic_id'],
    registers: first.registers,
    minima: ['first_seen_v'],
    rows: rows.map(({ topicId, values }) => ({
      sdk_app_id: e.sdkAppId,
      group_id: group.GroupId,
      topic_id: topicId,
      first_seen_v: e.version,
      ...values,
    })),
  });
  await refreshEndedTopics(
    buffer,
    key,
    rows.map((r) => r.topicId),
  );
}
