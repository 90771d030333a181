import { combine, upsertLww, write } from '../../stores/lww.js';
import { USER } from '../../stores/others.js';
import { APPLIED, atOf, type Handler } from '../types.js';

/** Login → Online; Logout and Disconnect → Offline; with action, reason, platform and client IP. */
export const stateChange: Handler<'State.StateChange'> = async (tx, e) => {
  const info = e.event.Info;
  const { registers, values } = combine([
    write(USER.state, e.version, {
      online_status: info.Action === 'Login' ? 'Online' : 'Offline',
      last_action: info.Action,
      last_reason: info.Reason ?? null,
      last_platform: e.optPlatform,
      last_client_ip: e.clientIp,
      state_changed_at: atOf(e),
    }),
  ]);
  await upsertLww(tx, {
    table: 'users',
    key: ['sdk_app_id', 'user_id'],
    registers,
    rows: [{ sdk_app_id: e.sdkAppId, user_id: info.To_Account, ...values }],
  });
  return APPLIED;
};
