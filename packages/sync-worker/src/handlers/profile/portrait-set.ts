import { upsertLww } from '../../stores/lww.js';
import { APPLIED, type Handler } from '../types.js';

/** Each changed profile tag, per tag last-writer-wins. */
export const portraitSet: Handler<'Profile.CallbackPortraitSet'> = async (buffer, e) => {
  const t = e.version.toString();
  const entries = Object.fromEntries(e.event.ProfileItem.map((item) => [item.Tag, { v: item.Value, t }]));
  await upsertLww(buffer, {
    table: 'users',
    key: ['sdk_app_id', 'user_id'],
    registers: [],
    merges: { profile_entries: 'lww_merge' },
    rows: [{ sdk_app_id: e.sdkAppId, user_id: e.event.From_Account, profile_entries: entries }],
  });
  return APPLIED;
};
