import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './redis.js';

const run = promisify(execFile);
const VERSION = '15';

/**
 * A PostgreSQL cluster of its own on a free loopback port (Debian's pg_createcluster; the tests run as
 * root), for tests that stop PostgreSQL: `stop()` as a crash would (`-m immediate`), `start()` again, and
 * `drop()` when done. Trust authentication on loopback, fsync off: a throwaway.
 */
export class PrivatePostgres {
  private constructor(
    readonly name: string,
    readonly port: number,
  ) {}

  /** `postgres://postgres@127.0.0.1:<port>/<database>`. */
  url(database = 'imsync'): string {
    return `postgres://postgres:postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Creates and starts the cluster, with an empty database `imsync`. */
  static async create(): Promise<PrivatePostgres> {
    const db = new PrivatePostgres(`imsync_test_${randomBytes(4).toString('hex')}`, await freePort());
    await run('pg_createcluster', [
      VERSION,
      db.name,
      '-p',
      String(db.port),
      '-o',
      'fsync=off',
      '--',
      '--auth=trust',
    ]);
    try {
      await db.start();
      const client = new pg.Client({ connectionString: db.url('postgres') });
      await client.connect();
      await client.query('CREATE DATABASE imsync');
      await client.end();
    } catch (err) {
      await db.drop();
      throw err;
    }
    return db;
  }

  async start(): Promise<void> {
    await run('pg_ctlcluster', [VERSION, this.name, 'start']);
  }

  /** Stops the server at once, as a crash would: every connection is cut, nothing is flushed. */
  async stop(): Promise<void> {
    await run('pg_ctlcluster', [VERSION, this.name, 'stop', '-m', 'immediate']);
  }

  /** Stops it if it runs and removes it with its data. */
  async drop(): Promise<void> {
    await run('pg_dropcluster', [VERSION, this.name, '--stop']);
  }
}
