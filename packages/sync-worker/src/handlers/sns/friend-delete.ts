import { write } from '../../stores/lww.js';
import { RELATION } from '../../stores/others.js';
import { APPLIED, type Handler } from '../types.js';
import { upsertPairs } from './relations.js';

/** To_Account is no longer in From_Account's friend list. */
export const friendDelete: Handler<'Sns.CallbackFriendDelete'> = async (buffer, e) => {
  await upsertPairs(
    buffer,
    'friendships',
    e,
    e.event.PairList.map((p) => ({
      ...p,
      writes: [write(RELATION.status, e.version, { status: 'removed' })],
    })),
  );
  return APPLIED;
};
