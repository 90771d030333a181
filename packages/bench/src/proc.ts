import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/** A child process exited while the bench still needed it. */
export class ChildCrashed extends Error {
  override name = 'ChildCrashed';
}

export interface ChildOptions {
  readonly name: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** stdout and stderr go to this file (production-like logs stay on, off the terminal). */
  readonly logFile: string;
  /** Opens an IPC channel (load generators, baselines). */
  readonly ipc?: boolean;
}

const live = new Set<Child>();

/** USER_HZ: the unit of utime and stime in /proc/<pid>/stat (100 on Linux). */
const CLOCK_TICKS = 100;

/** CPU time (user + system) a process has used, seconds, from its /proc/<pid>/stat text. */
export function statCpuSeconds(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/**
 * A node child process the bench started: crash detection (`crashed` rejects when it exits without
 * being asked to), peak RSS from /proc, graceful stop. Every child is killed when the bench exits.
 */
export class Child {
  readonly proc: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Rejects with ChildCrashed when the process exits before stop(); never resolves. */
  readonly crashed: Promise<never>;
  private stopping = false;
  private lastRssKb = 0;

  constructor(readonly opts: ChildOptions) {
    const fd = openSync(opts.logFile, 'a');
    this.proc = spawn(process.execPath, [...opts.args], {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', fd, fd, ...(opts.ipc ? (['ipc'] as const) : [])],
    });
    closeSync(fd);
    live.add(this);
    // VmHWM is gone with the process: keep reading it while it lives
    const sampler = setInterval(() => this.peakRss(), 500).unref();
    this.exited = new Promise((resolve) => {
      this.proc.once('exit', (code, signal) => {
        clearInterval(sampler);
        live.delete(this);
        resolve({ code, signal });
      });
      this.proc.once('error', (err) => {
        clearInterval(sampler);
        live.delete(this);
        this.spawnError = err;
        resolve({ code: -1, signal: null });
      });
    });
    this.crashed = this.exited.then(({ code, signal }) => {
      if (this.stopping) return new Promise<never>(() => undefined);
      const why = this.spawnError
        ? this.spawnError.message
        : signal
          ? `signal ${signal}`
          : `exit code ${code}`;
      throw new ChildCrashed(
        `${opts.name} (pid ${this.proc.pid}) stopped unexpectedly (${why}). Last output:\n${this.tail()}`,
      );
    });
    this.crashed.catch(() => undefined); // observed by whoever races against it
  }

  private spawnError: Error | undefined;

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** The last lines the process wrote. */
  tail(bytes = 3000): string {
    try {
      const text = readFileSync(this.opts.logFile, 'utf8');
      return text.slice(-bytes).trimEnd() || '(nothing)';
    } catch {
      return '(no log)';
    }
  }

  /** Peak resident set size so far (VmHWM), in bytes; the last value read once the process is gone. */
  peakRss(): number {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const m = /VmHWM:\s+(\d+) kB/.exec(status);
      if (m) this.lastRssKb = Math.max(this.lastRssKb, Number(m[1]));
    } catch {
      // exited: keep the last reading
    }
    return this.lastRssKb * 1024;
  }

  /** CPU time the process has used so far (user + system), seconds; NaN once it is gone. */
  cpuSeconds(): number {
    try {
      return statCpuSeconds(readFileSync(`/proc/${this.pid}/stat`, 'utf8'));
    } catch {
      return NaN;
    }
  }

  /** Rejects when the process exits before `promise` settles. */
  guard<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.crashed]);
  }

  /** SIGTERM, then SIGKILL after `graceMs`. Resolves once the process is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    this.peakRss();
    if (!this.alive) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Races `promise` against a crash of any of `children`. */
export function guard<T>(children: readonly Child[], promise: Promise<T>): Promise<T> {
  return Promise.race([promise, ...children.map((c) => c.crashed)]);
}

/** Kills every child still running (on exit, on Ctrl-C, after a failure). */
export async function stopAll(graceMs = 5000): Promise<void> {
  await Promise.all([...live].map((c) => c.stop(graceMs)));
}

process.on('exit', () => {
  for (const c of live) c.proc.kill('SIGKILL');
});

/** Sends one message to a child over IPC and waits for its answer (`{ error }` rejects). */
export function request<T>(child: Child, message: unknown): Promise<T> {
  return child.guard(
    new Promise<T>((resolve, reject) => {
      child.proc.once('message', (m: { error?: string } & T) =>
        m.error ? reject(new Error(m.error)) : resolve(m),
      );
      child.proc.send(message as object);
    }),
  );
}

/** Waits for a child's first IPC message (a `ready` sent once it listens or is connected). */
export function firstMessage<T>(child: Child, timeoutMs = 30_000): Promise<T> {
  return child.guard(
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${child.opts.name}: no ready message after ${timeoutMs} ms`)),
        timeoutMs,
      );
      child.proc.once('message', (m: T) => {
        clearTimeout(timer);
        resolve(m);
      });
    }),
  );
}

/** Polls `url` until it answers 200 (a service's readiness probe). */
export async function waitReady(child: Child, url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const poll = async () => {
    while (child.alive) {
      try {
        const res = await fetch(url);
        await res.arrayBuffer();
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline)
        throw new Error(`${child.opts.name}: ${url} not ready after ${timeoutMs} ms\n${child.tail()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new ChildCrashed(`${child.opts.name} exited before it was ready:\n${child.tail()}`);
  };
  await child.guard(poll());
}
