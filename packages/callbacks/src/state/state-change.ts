import { array, object, string, type InferType } from 'yup';
import { account, eventTime } from '../common.js';
import { normalizePlatform } from '../platform.js';

/** State.StateChange: a user logged in, logged out or was disconnected. */
export const StateStateChange = object({
  EventTime: eventTime().optional(),
  Info: object({
    Action: string().oneOf(['Login', 'Logout', 'Disconnect']).required(),
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
