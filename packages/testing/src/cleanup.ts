import { dropSchema, TEST_DATABASE_URL, uniqueSchema } from './postgres.js';
import type { NodeProcess } from './process.js';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from './redis.js';

/**
 * What a test or a benchmark made: queue prefixes, schemas, processes, anything else with an undo.
 * `close()` undoes it all, the latest first, and says what it could not.
 */
export class Cleanup {
  private readonly undo: (() => Promise<unknown>)[] = [];
  private readonly procs: NodeProcess[] = [];

  constructor(private readonly urls = { redis: TEST_REDIS_URL, database: TEST_DATABASE_URL }) {}

  /** Runs `undo` on close. */
  defer(undo: () => Promise<unknown>): void {
    this.undo.push(undo);
  }

  /** A queue prefix of its own, its keys deleted on close. */
  prefix(label?: string): string {
    const prefix = uniquePrefix(label);
    this.defer(() => deletePrefix(prefix, this.urls.redis));
    return prefix;
  }

  /** A schema of its own, dropped on close. */
  schema(label?: string): string {
    const schema = uniqueSchema(label);
    this.defer(() => dropSchema(schema, this.urls.database));
    return schema;
  }

  /** Stops the process on close (SIGTERM, SIGKILL after `timeoutMs`); `guard` watches it meanwhile. */
  process(proc: NodeProcess, timeoutMs?: number): NodeProcess {
    this.procs.push(proc);
    this.defer(() => proc.stop(timeoutMs));
    return proc;
  }

  /** Settles as `promise` does, or rejects as soon as one of the processes crashes (exits unasked). */
  guard<T>(promise: Promise<T>): Promise<T> {
    return this.procs.reduce((p, proc) => proc.guard(p), promise);
  }

  async close(): Promise<string[]> {
    const problems: string[] = [];
    for (const undo of this.undo.splice(0).reverse())
      await undo().catch((err: Error) => problems.push(err.message));
    return problems;
  }
}
