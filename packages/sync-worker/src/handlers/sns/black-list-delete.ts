import { write } from '../../stores/lww.js';
import { RELATION } from '../../stores/others.js';
import { APPLIED, type Handler } from '../types.js';
import { upsertPairs } from './relations.js';

/** To_Account is no longer in From_Account's blocklist. */
export const blackListDelete: Handler<'Sns.CallbackBlackListDelete'> = async (buffer, e) => {
  await upsertPairs(
    buffer,
    'blocklist',
    e,
    e.event.PairList.map((p) => ({
      ...p,
      writes: [write(RELATION.status, e.version, { status: 'unblocked' })],
    })),
  );
  return APPLIED;
};
