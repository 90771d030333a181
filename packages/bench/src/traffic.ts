import { callbackQuery } from '@imsync/testing';
import { PAYLOAD_COMMANDS as MIX, payload } from '@imsync/testing';

export interface TrafficSpec {
  /** The payload series (unique per run: every request of the run is a distinct event). */
  readonly tag: string;
  readonly sdkAppId: number;
  readonly token: string;
  readonly path: string;
}

export interface CallbackRequest {
  readonly i: number;
  readonly path: string;
  readonly body: string;
}

/**
 * An endless series of distinct, validly signed callbacks cycling through every synced command. Each
 * request is signed with the current second as RequestTime (re-signed as time passes, like Tencent).
 */
export class Traffic {
  private i = 0;
  private second = -1;
  private paths: string[] = [];

  constructor(private readonly spec: TrafficSpec) {}

  get count(): number {
    return this.i;
  }

  next(): CallbackRequest {
    const now = Math.floor(Date.now() / 1000);
    if (now !== this.second) {
      this.second = now;
      this.paths = MIX.map(
        (command) =>
          `${this.spec.path}?${callbackQuery({
            sdkAppId: this.spec.sdkAppId,
            command,
            token: this.spec.token,
            requestTime: now,
            clientIp: '127.0.0.1',
            optPlatform: 'Android',
          })}`,
      );
    }
    const i = this.i++;
    return { i, path: this.paths[i % MIX.length]!, body: JSON.stringify(payload(this.spec.tag, i).body) };
  }
}
