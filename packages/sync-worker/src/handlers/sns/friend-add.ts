import { write } from '../../stores/lww.js';
import { RELATION, upsertPairs } from '../../stores/relations.js';
import { APPLIED, type Handler } from '../types.js';

/** To_Account is in From_Account's friend list, with who initiated it. */
export const friendAdd: Handler<'Sns.CallbackFriendAdd'> = async (buffer, e) => {
  await upsertPairs(
    buffer,
    'friendships',
    e.sdkAppId,
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
