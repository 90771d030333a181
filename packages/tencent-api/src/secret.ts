import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A secret key that does not print: `String()`, JSON and `util.inspect` (hence pino, console and error
 * serializers) show `[redacted]`. Only `reveal()` gives the key, for signing.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
}
