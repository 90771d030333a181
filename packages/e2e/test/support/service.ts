import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { serviceLaunch } from '@imsync/testing';

/** One pino line, parsed (or the raw text of a line that is not JSON). */
export interface LogLine {
  readonly level?: number;
  readonly msg?: string;
  readonly raw: string;
  readonly [field: string]: unknown;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const running = new Set<ServiceProcess>();

/** A real service process: its log lines as they come, its exit, and a way to signal it. */
export class ServiceProcess {
  readonly logs: LogLine[] = [];
  readonly exited: Promise<Exit>;
  private readonly proc: ChildProcess;
  private waiters: { pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  private exit: Exit | undefined;

  private constructor(
    readonly name: string,
    env: Record<string, string>,
  ) {
    // as in production: the node options of the service's start script, then its built entry point
    const launch = serviceLaunch(name as 'ingest' | 'sync-worker');
    this.proc = spawn(process.execPath, [...launch.nodeFlags, launch.main], {
      // a clean environment: only what the test says, so a developer's shell cannot change the outcome
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'production', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [this.proc.stdout, this.proc.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => this.onLine(line));
    }
    this.exited = new Promise((resolve) => {
      this.proc.once('exit', (code, signal) => {
        this.exit = { code, signal };
        running.delete(this);
        resolve(this.exit);
      });
    });
    running.add(this);
  }

  static async start(
    name: 'ingest' | 'sync-worker',
    env: Record<string, string>,
    ready = name === 'ingest' ? 'ingest listening' : 'sync-worker started',
    timeoutMs = 20_000,
  ): Promise<ServiceProcess> {
    const p = new ServiceProcess(name, env);
    try {
      await p.waitForLog((l) => l.msg === ready, timeoutMs);
    } catch (err) {
      await p.kill();
      throw err;
    }
    return p;
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get exitStatus(): Exit | undefined {
    return this.exit;
  }

  private onLine(raw: string): void {
    let line: LogLine;
    try {
      const parsed: unknown = JSON.parse(raw);
      line = typeof parsed === 'object' && parsed !== null ? { ...(parsed as object), raw } : { raw };
    } catch {
      line = { raw };
    }
    this.logs.push(line);
    if (process.env.E2E_VERBOSE) process.stderr.write(`[${this.name}] ${raw}\n`);
    this.waiters = this.waiters.filter((w) => {
      if (!w.pred(line)) return true;
      w.resolve(line);
      return false;
    });
  }

  /** The first log line (already seen or to come) that matches; rejects on timeout or exit. */
  waitForLog(pred: (l: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> {
    const seen = this.logs.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new Error(`${this.name}: no matching log line within ${timeoutMs} ms; last lines:\n${this.tail()}`),
        );
      }, timeoutMs);
      const waiter = {
        pred,
        resolve: (l: LogLine) => {
          clearTimeout(timer);
          resolve(l);
        },
      };
      this.waiters.push(waiter);
      void this.exited.then((exit) => {
        if (!this.waiters.includes(waiter)) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new Error(
            `${this.name} exited (${JSON.stringify(exit)}) before the log line; last lines:\n${this.tail()}`,
          ),
        );
      });
    });
  }

  tail(n = 15): string {
    return this.logs
      .slice(-n)
      .map((l) => l.raw)
      .join('\n');
  }

  /** Sends a signal. */
  signal(sig: NodeJS.Signals): void {
    if (this.exit === undefined) this.proc.kill(sig);
  }

  /** SIGTERM, then the exit (SIGKILL if it is not gone within `timeoutMs`, and then the promise rejects). */
  async stop(timeoutMs = 15_000): Promise<Exit> {
    if (this.exit) return this.exit;
    this.signal('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const result = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (result === 'timeout') {
      await this.kill();
      throw new Error(
        `${this.name} did not exit within ${timeoutMs} ms of SIGTERM; last lines:\n${this.tail()}`,
      );
    }
    return result;
  }

  /** SIGKILL: for clean-up after a failed test, never as the thing tested. */
  async kill(): Promise<void> {
    if (this.exit) return;
    this.proc.kill('SIGKILL');
    await this.exited;
  }
}

/** Kills every service process a test left running (call it from `afterEach`/`after`). */
export async function killAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.kill()));
}
