import { write } from '../../stores/lww.js';
import { RELATION, upsertPairs } from '../../stores/relations.js';
import { APPLIED, type Handler } from '../types.js';

/** To_Account is no longer in From_Account's blocklist. */
export const blackListDelete: Handler<'Sns.CallbackBlackListDelete'> = async (buffer, e) => {
  await upsertPairs(
    buffer,
    'blocklist',
    e.sdkAppId,
    e.event.PairList.map((p) => ({
      ...p,
      writes: [write(RELATION.status, e.version, { status: 'unblocked' })],
    })),
  );
  return APPLIED;
};
