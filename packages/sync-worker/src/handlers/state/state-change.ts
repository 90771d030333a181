import { isLoginStateAction, LOGIN_STATE_ACTIONS } from '@imsync/callbacks';
import { combine, upsertLww, write } from '../../stores/lww.js';
import { USER } from '../../stores/users.js';
import { APPLIED, atOf, type Handler } from '../types.js';

/**
 * Login → Online; Logout and Disconnect → Offline; with action, reason, platform and client IP. Any other
 * Action (a custom status) changes no online state: the job completes with the reason.
 */
export const stateChange: Handler<'State.StateChange'> = async (buffer, e) => {
  const info = e.event.Info;
  if (!isLoginStateAction(info.Action))
    return {
      skipped: `Action ${info.Action} is not a login state change (${LOGIN_STATE_ACTIONS.join(', ')})`,
    };
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
  await upsertLww(buffer, {
    table: 'users',
    key: ['sdk_app_id', 'user_id'],
    registers,
    rows: [{ sdk_app_id: e.sdkAppId, user_id: info.To_Account, ...values }],
  });
  return APPLIED;
};
