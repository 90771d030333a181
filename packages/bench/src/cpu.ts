import { readdirSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { statCpuSeconds } from '@imsync/testing';

/**
 * CPU time of the servers a measured process leans on, Redis and PostgreSQL, which run on the same cores
 * as it: a side that answers fast by making Redis or PostgreSQL work harder would otherwise look cheaper
 * than it is. Redis reports its own (INFO cpu); PostgreSQL's is read from /proc, over every `postgres`
 * process of the machine (a backend that ends between two readings takes its time with it, so the
 * readings are taken while the measured process still holds its connections).
 */
export interface CpuReading {
  readonly redisSeconds: number;
  /** CPU seconds of each live `postgres` process, by pid. */
  readonly postgres: ReadonlyMap<number, number>;
}

export interface CpuUsed {
  readonly redisSeconds: number;
  readonly postgresSeconds: number;
}

/** The `postgres` processes of this machine and the CPU each has used, seconds. */
function postgresProcesses(): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== 'postgres') continue;
      out.set(Number(entry), statCpuSeconds(stat));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export class CpuMeter {
  private readonly redis: Redis;

  constructor(redisUrl: string) {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  }

  async read(): Promise<CpuReading> {
    const info = await this.redis.info('cpu');
    const field = (k: string) => Number(new RegExp(`^${k}:([0-9.]+)`, 'm').exec(info)?.[1] ?? NaN);
    return {
      redisSeconds: field('used_cpu_sys') + field('used_cpu_user'),
      postgres: postgresProcesses(),
    };
  }

  /** What Redis and PostgreSQL used between `before` and now (a backend born meanwhile counts whole). */
  async since(before: CpuReading): Promise<CpuUsed> {
    const now = await this.read();
    let postgresSeconds = 0;
    for (const [pid, seconds] of now.postgres) postgresSeconds += seconds - (before.postgres.get(pid) ?? 0);
    return { redisSeconds: now.redisSeconds - before.redisSeconds, postgresSeconds };
  }

  close(): void {
    this.redis.disconnect();
  }
}
