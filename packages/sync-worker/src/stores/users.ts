import type { Register } from './lww.js';

/** The registers of `users`. */
export const USER = {
  state: {
    version: 'state_v',
    columns: [
      'online_status',
      'last_action',
      'last_reason',
      'last_platform',
      'last_client_ip',
      'state_changed_at',
    ],
  },
} as const satisfies Record<string, Register>;
