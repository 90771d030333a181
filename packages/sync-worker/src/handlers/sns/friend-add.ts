import { write } from '../../stores/lww.js';
import { RELATION } from '../../stores/others.js';
import { APPLIED, type Handler } from '../types.js';
import { upsertPairs } from './relations.js';

/** To_Account is in From_Account's friend list, with who initiated it. */
export const friendAdd: Handler<'Sns.CallbackFriendAdd'> = async (buffer, e) => {
  await upsertPairs(
    buffer,
    'friendships',
    e,
    e.event.PairList.map((p) => ({
      ...p,
      writes: [
        write(RELATION.status, e.version, { status: 'friend' }),
        write(RELATION.initiator, e.version, { initiator_account: p.Initiator_Account ?? null }),
      ],
    })),
  );
  return APPLIED;
};
