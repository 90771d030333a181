import { array, object, string, type InferType } from 'yup';
import { account, eventTime, trimmed } from '../common.js';
import { normalizePlatform } from '../platform.js';

/** The actions that change a user's online state (the ones the stores apply). */
export const LOGIN_STATE_ACTIONS = ['Login', 'Logout', 'Disconnect'] as const;
export type LoginStateAction = (typeof LOGIN_STATE_ACTIONS)[number];

export function isLoginStateAction(action: string): action is LoginStateAction {
  return (LOGIN_STATE_ACTIONS as readonly string[]).includes(action);
}

/**
 * State.StateChange: a user logged in, logged out or was disconnected. Tencent also sends it when a user
 * sets a custom status, with an Action it does not document: any Action is accepted (and kept), and the
 * worker applies only the login state ones.
 */
export const StateStateChange = object({
  EventTime: eventTime().optional(),
  Info: object({
    Action: trimmed().required(),
    To_Account: account(),
    Reason: string().optional(),
  }).required(),
  KickedDevice: array()
    .of(
      object({
        Platform: string().transform((p: unknown) =>
          typeof p === 'string' ? (normalizePlatform(p) ?? p) : p,
        ),
      }),
    )
    .optional(),
});
export type StateStateChange = InferType<typeof StateStateChange>;
