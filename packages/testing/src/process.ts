import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** One output line, parsed when it is JSON (pino), with its raw text. */
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

export interface SpawnOptions {
  readonly name: string;
  /** Node's arguments: its options, then the script and the script's own. */
  readonly args: readonly string[];
  /** The whole environment besides PATH and NODE_ENV=production: nothing else leaks from the parent's. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  /** Runs it under `taskset -c <cpus>` (util-linux), pinned to these cores. */
  readonly cpus?: string;
  /** Appends every output line to this file too. */
  readonly logFile?: string;
  /** Keeps only the last N lines in `logs` (a long run's memory); all of them unless told. */
  readonly maxLogLines?: number;
  /** An IPC channel, for `request()`. */
  readonly ipc?: boolean;
}

const running = new Set<NodeProcess>();

/** USER_HZ: the unit of utime and stime in /proc/<pid>/stat (100 on Linux). */
const CLOCK_TICKS = 100;

/** CPU time (user + system) of a process, seconds, from its /proc/<pid>/stat text. */
export function statCpuSeconds(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/**
 * A node process of a test or the benchmark: its output lines as they come (`logs`, `waitForLog`), its
 * exit, signals, a graceful `stop()`, its peak RSS and CPU time from /proc. Every one still running is
 * killed when the parent exits; `killAll()` kills them sooner.
 */
export class NodeProcess {
  readonly logs: LogLine[] = [];
  readonly exited: Promise<Exit>;
  private readonly proc: ChildProcess;
  private readonly logFile: WriteStream | undefined;
  private waiters: { pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  private exit: Exit | undefined;
  /** Set once the parent signals it: an exit after that is no crash. */
  private signalled = false;
  private peakRssKb = 0;

  constructor(readonly opts: SpawnOptions) {
    const [cmd, args] = opts.cpus
      ? ['taskset', ['-c', opts.cpus, process.execPath, ...opts.args]]
      : [process.execPath, [...opts.args]];
    this.proc = spawn(cmd, args, {
      cwd: opts.cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'production', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe', ...(opts.ipc ? (['ipc'] as const) : [])],
    });
    this.logFile = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
    for (const stream of [this.proc.stdout, this.proc.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => this.onLine(line));
    }
    // VmHWM goes with the process: keep reading it while it lives
    const sampler = setInterval(() => this.peakRss(), 500).unref();
    this.exited = new Promise((resolve) => {
      const done = (exit: Exit) => {
        if (this.exit) return;
        this.exit = exit;
        clearInterval(sampler);
        running.delete(this);
        this.logFile?.end();
        resolve(exit);
      };
      this.proc.once('exit', (code, signal) => done({ code, signal }));
      this.proc.once('error', (err) => {
        this.onLine(`spawn failed: ${err.message}`);
        done({ code: -1, signal: null });
      });
    });
    running.add(this);
  }

  get name(): string {
    return this.opts.name;
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  /** How it exited; undefined while it runs. */
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
    const max = this.opts.maxLogLines;
    if (max !== undefined && this.logs.length > 2 * max) this.logs.splice(0, this.logs.length - max);
    this.logFile?.write(`${raw}\n`);
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
      const fail = (why: string) => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`${this.name}: ${why}; last lines:\n${this.tail()}`));
      };
      const timer = setTimeout(() => fail(`no matching log line within ${timeoutMs} ms`), timeoutMs);
      const waiter = {
        pred,
        resolve: (l: LogLine) => {
          clearTimeout(timer);
          resolve(l);
        },
      };
      this.waiters.push(waiter);
      void this.exited.then((exit) => {
        if (this.waiters.includes(waiter)) fail(`exited (${JSON.stringify(exit)}) before the log line`);
      });
    });
  }

  tail(n = 15): string {
    return (
      this.logs
        .slice(-n)
        .map((l) => l.raw)
        .join('\n') || '(no output)'
    );
  }

  /** Settles as `promise` does, or rejects when the process exits first without having been signalled. */
  guard<T>(promise: Promise<T>): Promise<T> {
    const crash = this.exited.then((exit) => {
      if (this.signalled) return new Promise<never>(() => undefined);
      throw new Error(`${this.name} (pid ${this.pid}) exited (${JSON.stringify(exit)}):\n${this.tail()}`);
    });
    crash.catch(() => undefined); // a crash after `promise` settled is no one's to handle here
    return Promise.race([promise, crash]);
  }

  /** Sends one message over IPC and resolves with the next message it sends back (`{ error }` rejects). */
  request<T>(message: object): Promise<T> {
    return this.guard(
      new Promise<T>((resolve, reject) => {
        this.proc.once('message', (m: { error?: string } & T) =>
          m.error ? reject(new Error(`${this.name}: ${m.error}`)) : resolve(m),
        );
        this.proc.send(message);
      }),
    );
  }

  signal(sig: NodeJS.Signals): void {
    this.signalled = true;
    if (this.exit === undefined) this.proc.kill(sig);
  }

  /** SIGTERM, then the exit (SIGKILL if it is not gone within `timeoutMs`, and then the promise rejects). */
  async stop(timeoutMs = 15_000): Promise<Exit> {
    if (this.exit) return this.exit;
    this.peakRss();
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

  /** SIGKILL: for clean-up after a failure, never as the thing tested. */
  async kill(): Promise<void> {
    if (this.exit) return;
    this.signal('SIGKILL');
    await this.exited;
  }

  /** Peak resident set size so far (VmHWM), bytes; the last reading once the process is gone. */
  peakRss(): number {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      if (m) this.peakRssKb = Math.max(this.peakRssKb, Number(m[1]));
    } catch {
      // gone: keep the last reading
    }
    return this.peakRssKb * 1024;
  }

  /** CPU time it has used so far (user + system), seconds; NaN once it is gone. */
  cpuSeconds(): number {
    try {
      return statCpuSeconds(readFileSync(`/proc/${this.pid}/stat`, 'utf8'));
    } catch {
      return NaN;
    }
  }
}

/** Spawns a process and waits for the log line that says it is ready; kills it if that never comes. */
export async function startProcess(
  opts: SpawnOptions,
  ready: (l: LogLine) => boolean,
  timeoutMs = 20_000,
): Promise<NodeProcess> {
  const p = new NodeProcess(opts);
  try {
    await p.waitForLog(ready, timeoutMs);
  } catch (err) {
    await p.kill();
    throw err;
  }
  return p;
}

/** Kills every process still running (from `afterEach`/`after`, or on a benchmark's interrupt). */
export async function killAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.kill()));
}

process.on('exit', () => {
  for (const p of running) p.signal('SIGKILL');
});
