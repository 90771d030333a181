import pg from 'pg';
import { isStoreUnavailable } from './store-gate.js';

/** One statement of a job, with its parameters (`$1`, `$2` …). */
export interface Statement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/**
 * A statement parameter written as a PostgreSQL literal (text escaped by the driver's own escapeLiteral).
 * Parameters are pasted into `EXECUTE name(...)` as literals because a group commit sends the statements of
 * many jobs as one simple-protocol query (one round trip, one implicit transaction), and the simple
 * protocol cannot carry bind parameters (node-postgres sends a query with bind parameters in a round trip of
 * its own). test/property/sql-literal.test.ts round-trips arbitrary values through it into PostgreSQL.
 */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'bigint') return value < 0n ? `(${value})` : value.toString();
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw Object.assign(new Error(`not a finite number: ${value}`), { code: '22003' });
    return value < 0 ? `(${value})` : String(value); // never `x-$1` → `x--1`, a comment
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw Object.assign(new Error('not a valid time'), { code: '22008' });
    return `${text(value.toISOString())}::timestamptz`;
  }
  if (Array.isArray(value)) return value.length ? `ARRAY[${value.map(sqlLiteral).join(', ')}]` : `'{}'`;
  if (typeof value === 'string') return text(value);
  return `${text(JSON.stringify(value))}::jsonb`;
}

function text(s: string): string {
  // PostgreSQL text cannot hold NUL; refuse it here as PostgreSQL would (invalid byte sequence, permanent)
  if (s.includes('\u0000'))
    throw Object.assign(new Error('text contains a NUL character'), { code: '22021' });
  return pg.escapeLiteral(s);
}

/** Every statement text gets one name, the same on every connection, for the life of the process. */
const names = new Map<string, string>();
const nameOf = (sql: string): string => {
  let name = names.get(sql);
  if (!name) {
    name = `imsync_${names.size + 1}`;
    names.set(sql, name);
  }
  return name;
};

/** The statements each connection has prepared (a connection that saw an error is discarded). */
const preparedOn = new WeakMap<pg.PoolClient, Set<string>>();

/**
 * Sends the statements of one or more jobs as one multi-statement query, which PostgreSQL runs as one
 * implicit transaction. Each statement is a prepared statement of the session (`PREPARE` the first time
 * a connection sees it, then `EXECUTE name(...)` with its parameters as literals, see sqlLiteral), so
 * PostgreSQL parses and plans imsync's large upserts once per connection rather than once per job.
 */
export async function executeLiterally(db: pg.Pool, statements: readonly Statement[]): Promise<void> {
  const client = await db.connect();
  const prepared = preparedOn.get(client) ?? new Set<string>();
  preparedOn.set(client, prepared);
  const parts: string[] = [];
  const preparing: string[] = [];
  try {
    for (const { sql, params } of statements) {
      const name = nameOf(sql);
      if (!prepared.has(name) && !preparing.includes(name)) {
        parts.push(`PREPARE ${name} AS ${sql}`);
        preparing.push(name);
      }
      parts.push(params.length ? `EXECUTE ${name}(${params.map(sqlLiteral).join(', ')})` : `EXECUTE ${name}`);
    }
  } catch (err) {
    client.release();
    throw err;
  }
  try {
    await client.query(parts.join(';\n'));
  } catch (err) {
    // what the failed query left prepared is unknown: this session is not used again
    client.release(true);
    throw err;
  }
  for (const name of preparing) prepared.add(name);
  client.release();
}

function rejectAll(jobs: readonly PendingJob[], err: unknown): void {
  for (const p of jobs) p.reject(err);
}

/** Sends a job's statements to PostgreSQL. */
export interface Executor {
  run(statements: readonly Statement[], lockKey?: string): Promise<void>;
}

/** Each job in its own round trip: one implicit transaction. */
export const directExecutor = (db: pg.Pool): Executor => ({
  run: (statements) => executeLiterally(db, statements),
});

const GROUPS_IN_FLIGHT = 2;

interface PendingJob {
  readonly statements: readonly Statement[];
  readonly lockKey: string;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Group commit: the statements of jobs that are ready together are sent as one multi-statement query — one
 * round trip and one commit for all of them — while the previous groups are in flight. Each job's
 * statements stay all-or-nothing. If a group fails (one job's bad data, a deadlock with another worker),
 * each of its jobs is replayed alone, so one job's failure never decides another's; if PostgreSQL is away
 * (see isStoreUnavailable), every job left in the group fails with that error at once, unreplayed.
 * Jobs are ordered by the row they lock first, so that groups from several workers lock rows alike.
 */
export class GroupCommitter implements Executor {
  private pending: PendingJob[] = [];
  private inFlight = 0;
  private scheduled = false;

  /** @param maxJobs at most this many jobs in one group */
  constructor(
    private readonly db: pg.Pool,
    private readonly maxJobs: number,
  ) {}

  run(statements: readonly Statement[], lockKey = ''): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ statements, lockKey, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.pump()); // let the jobs that are ready in this turn join the group
      }
    });
  }

  private pump(): void {
    this.scheduled = false;
    // two groups at a time, on two connections, so that PostgreSQL works on one while the other travels
    // (jobs inside a group are in lock order; should two groups still deadlock, PostgreSQL breaks it and
    // the group that lost is replayed job by job)
    while (this.inFlight < GROUPS_IN_FLIGHT && this.pending.length > 0) {
      const group = this.pending.splice(0, this.maxJobs);
      this.inFlight++;
      void this.send(group).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async send(group: PendingJob[]): Promise<void> {
    if (group.length > 1) {
      group.sort((a, b) => (a.lockKey < b.lockKey ? -1 : a.lockKey > b.lockKey ? 1 : 0));
      try {
        await executeLiterally(
          this.db,
          group.flatMap((p) => p.statements),
        );
        for (const p of group) p.resolve();
        return;
      } catch (err) {
        // PostgreSQL away: no job of the group can be told apart by a replay
        if (isStoreUnavailable(err)) return rejectAll(group, err);
        // else replayed one by one below: each job gets its own outcome
      }
    }
    for (const [k, p] of group.entries()) {
      try {
        await executeLiterally(this.db, p.statements);
        p.resolve();
      } catch (err) {
        if (isStoreUnavailable(err)) return rejectAll(group.slice(k), err);
        p.reject(err);
      }
    }
  }
}
