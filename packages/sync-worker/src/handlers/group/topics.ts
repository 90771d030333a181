import type { SyncEvent } from '@imsync/callbacks';
import type { Tx } from '../../db.js';
import { combine, upsertLww, type Write } from '../../stores/lww.js';

/** Writes registers of several topics of one group (in topic order, so concurrent jobs lock alike). */
export async function upsertTopics(
  tx: Tx,
  e: SyncEvent,
  groupId: string,
  topics: readonly { topicId: string; writes: readonly Write[] }[],
): Promise<void> {
  const rows = topics.map(({ topicId, writes }) => ({ topicId, ...combine(writes) }));
  const first = rows[0];
  if (!first) return;
  await upsertLww(tx, {
    table: 'topics',
    key: ['sdk_app_id', 'group_id', 'topic_id'],
    registers: first.registers,
    rows: rows.map(({ topicId, values }) => ({
      sdk_app_id: e.sdkAppId,
      group_id: groupId,
      topic_id: topicId,
      ...values,
    })),
  });
}
