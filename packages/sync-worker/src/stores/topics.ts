import type { StatementBuffer } from '../db.js';
import { refreshEndedTopics, upsertGroup, type GroupKey } from './groups.js';
import { combine, upsertLww, type Register, type Write } from './lww.js';

/** The registers of `topics`. */
export const TOPIC = {
  name: { version: 'name_v', columns: ['name'] },
  introduction: { version: 'introduction_v', columns: ['introduction'] },
  notification: { version: 'notification_v', columns: ['notification'] },
  faceUrl: { version: 'face_url_v', columns: ['face_url'] },
  owner: { version: 'owner_v', columns: ['owner_account'] },
  created: { version: 'created_v', columns: ['created_at', 'custom_data'] },
  destroyed: { version: 'destroyed_v', columns: ['last_destroyed_at'] },
} as const satisfies Record<string, Register>;

/**
 * Writes registers of several topics of one group. Locks the group's row first (writing its Type when the
 * event carries one), like every group event, so that a concurrent destroy of the group cannot miss a
 * topic; then the topics in topic order.
 */
export async function upsertTopics(
  buffer: StatementBuffer,
  key: GroupKey,
  version: bigint,
  groupWrites: readonly Write[],
  topics: readonly { topicId: string; writes: readonly Write[] }[],
): Promise<void> {
  const rows = topics.map(({ topicId, writes }) => ({ topicId, ...combine(writes) }));
  const first = rows[0];
  if (!first) return;
  await upsertGroup(buffer, key, groupWrites);
  await upsertLww(buffer, {
    table: 'topics',
    key: ['sdk_app_id', 'group_id', 'topic_id'],
    registers: first.registers,
    minima: ['first_seen_v'],
    rows: rows.map(({ topicId, values }) => ({
      sdk_app_id: key.sdkAppId,
      group_id: key.groupId,
      topic_id: topicId,
      first_seen_v: version,
      ...values,
    })),
  });
  await refreshEndedTopics(
    buffer,
    key,
    rows.map((r) => r.topicId),
  );
}
