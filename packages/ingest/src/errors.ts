import { REJECTIONS, type RejectionReason } from '@imsync/callbacks';

/**
 * A request imsync refuses, for a reason listed in the contract's REJECTIONS. `detail` is shown to the
 * caller; `logDetail` goes only to the log (never a token or a Sign).
 */
export class Rejection extends Error {
  readonly status: number;
  readonly expose = true;
  constructor(
    readonly reason: RejectionReason,
    readonly detail?: string,
    readonly logDetail?: string,
  ) {
    super(detail ? `${REJECTIONS[reason].info}: ${detail}` : REJECTIONS[reason].info);
    this.name = 'Rejection';
    this.status = REJECTIONS[reason].status;
  }
}
