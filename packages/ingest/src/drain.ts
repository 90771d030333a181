import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface DrainFinishOptions {
  /** Requests already read get this long to be answered; then their connections are closed. */
  readonly deadlineMs: number;
  /** A connection with nothing in flight and no bytes for this long is closed. */
  readonly idleMs: number;
}

export interface DrainCloseResult {
  /** Connections still open at the deadline (closed with whatever they had in flight). */
  readonly forced: number;
}

const POLL_MS = 25;
/** A pause this long in new connections means that no client is reconnecting any more. */
const QUIET_MS = 300;
/** How long ingest waits at most for that pause before it stops listening (see stopListening()). */
export const SETTLE_MAX_MS = 1500;

/**
 * Closes an HTTP/1.1 server without breaking a request it has read:
 * - `closeAfterAnswers()`: from now on the answer to the last request read on each connection says
 *   `Connection: close`, and Node closes the connection once it is sent. A client never reuses a socket
 *   that is about to close, so it never sends into a closing connection (the reset of a keep-alive reuse).
 *   With pipelined requests only the last one read says so: the earlier answers still go out on it.
 * - `stopListening()`: first lets connections stay open after their answers until no new connection
 *   arrived for a moment (at most `settleMs`), and only then stops listening. Connections that completed
 *   their handshake but wait to be accepted when the listening socket closes are reset by the kernel, and
 *   with every answer closing its connection, clients that keep sending reconnect all the time. Once no
 *   longer listening, the last answer on each connection closes it again; a client then reconnects and is
 *   refused (its request never reached the server). Open connections are left alone: a request sent on an
 *   idle keep-alive connection at that moment still gets its answer.
 * - `finish()`: waits for the connections to close after their answers, closes those that stay idle, and
 *   at the deadline whatever is left.
 *
 * It is the server's request listener: it sees every request before the app, which it calls.
 */
export class ConnectionDrain {
  private closing = false;
  private lastConnectionAt = 0;
  /** Set once no longer listening: resolves when the server has closed. */
  private stopped: Promise<void> | undefined;
  private readonly sockets = new Set<Socket>();
  /** Per connection, the answers to the requests read on it and not yet sent, in order. */
  private readonly pending = new Map<Socket, ServerResponse[]>();
  /** The keep-alive decision Node made for an answer before the drain asked it to close. */
  private readonly keepAlive = new WeakMap<ServerResponse, boolean>();
  /** Per connection with nothing in flight: its byte count and since when it has not changed. */
  private readonly quiet = new Map<Socket, { bytes: number; since: number }>();
  /** Pipelined requests read after their connection's closing answer was written: never processed. */
  unanswerable = 0;

  constructor(
    private readonly server: Server,
    private readonly handle: RequestListener,
  ) {
    server.on('request', this.onRequest);
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      this.lastConnectionAt = Date.now();
      socket.once('close', () => {
        this.sockets.delete(socket);
        this.pending.delete(socket);
        this.quiet.delete(socket);
      });
    });
  }

  private readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const socket = req.socket;
    let answers = this.pending.get(socket);
    if (!answers) this.pending.set(socket, (answers = []));
    const previous = answers.at(-1);
    answers.push(res);
    this.quiet.delete(socket);
    res.once('close', () => this.answered(socket, res));
    if (previous?.headersSent && !previous.shouldKeepAlive) {
      // The connection closes after the previous answer, already written: this request can never be
      // answered, so it is not processed either (HTTP tells a pipelining client to send it again).
      this.unanswerable++;
      return;
    }
    if (this.closing) {
      if (previous) this.restore(previous);
      this.markLast(res);
    }
    this.handle(req, res);
  };

  /** Open connections (for logs and tests). */
  get connections(): number {
    return this.sockets.size;
  }

  /** From now on, the last request read on each connection is answered with `Connection: close`. */
  closeAfterAnswers(): void {
    if (this.closing) return;
    this.closing = true;
    for (const answers of this.pending.values()) {
      const last = answers.at(-1);
      if (last) this.markLast(last);
    }
  }

  /** Stops listening, after a pause in new connections (at most `settleMs`); open connections stay. */
  async stopListening(settleMs: number): Promise<void> {
    if (this.stopped) return;
    this.keepAnswersOpen();
    await this.settle(settleMs);
    // net.Server's close, not http.Server's: the latter also destroys every idle keep-alive connection at
    // once, while its client may be sending the next request on it (the client would see a reset). Here an
    // idle connection gets `idleMs` to send one, which is answered, with close.
    this.stopped = new Promise<void>((resolve) =>
      NetServer.prototype.close.call(this.server, () => resolve()),
    );
    this.closeAfterAnswers();
  }

  /**
   * Once no longer listening: waits for the connections to close after their answers, closes those that stay
   * idle, and at the deadline whatever is left. Resolves once every one is closed.
   */
  async finish(opts: DrainFinishOptions): Promise<DrainCloseResult> {
    if (!this.stopped) throw new Error('ConnectionDrain.finish() before stopListening()');
    const deadline = Date.now() + opts.deadlineMs;
    while (this.sockets.size > 0 && Date.now() < deadline) {
      this.closeIdle(opts.idleMs);
      await sleep(POLL_MS);
    }
    const forced = this.sockets.size;
    for (const socket of this.sockets) socket.destroy();
    await this.stopped;
    return { forced };
  }

  /** stopListening(), then finish(). */
  async close(opts: DrainFinishOptions & { readonly settleMs: number }): Promise<DrainCloseResult> {
    await this.stopListening(opts.settleMs);
    return this.finish(opts);
  }

  /** Answers keep their connection again (as HTTP/1.1 decided for each): clients stop reconnecting. */
  private keepAnswersOpen(): void {
    this.closing = false;
    for (const answers of this.pending.values()) for (const res of answers) this.restore(res);
  }

  /** Resolves once no connection arrived for QUIET_MS, or after `maxMs`. */
  private async settle(maxMs: number): Promise<void> {
    const until = Date.now() + maxMs;
    for (;;) {
      // checked right after the poll phase, in which the connections waiting were just accepted
      const quiet = await new Promise<boolean>((resolve) =>
        setImmediate(() => resolve(Date.now() - this.lastConnectionAt >= QUIET_MS)),
      );
      if (quiet || Date.now() >= until) return;
      await sleep(POLL_MS);
    }
  }

  private markLast(res: ServerResponse): void {
    if (res.headersSent) return; // already written: the next request on the connection is answered so
    if (!this.keepAlive.has(res)) this.keepAlive.set(res, res.shouldKeepAlive);
    res.shouldKeepAlive = false;
  }

  /** A request followed this one on its connection: its answer need not close the connection any more. */
  private restore(res: ServerResponse): void {
    const original = this.keepAlive.get(res);
    if (original !== undefined && !res.headersSent) res.shouldKeepAlive = original;
  }

  private answered(socket: Socket, res: ServerResponse): void {
    const answers = this.pending.get(socket);
    if (!answers) return;
    const i = answers.indexOf(res);
    if (i >= 0) answers.splice(i, 1);
    if (answers.length === 0) this.pending.delete(socket);
  }

  /** Closes connections with no request in flight that received nothing for `idleMs`. */
  private closeIdle(idleMs: number): void {
    const now = Date.now();
    for (const socket of this.sockets) {
      if (this.pending.has(socket)) continue;
      const seen = this.quiet.get(socket);
      if (!seen || seen.bytes !== socket.bytesRead) {
        this.quiet.set(socket, { bytes: socket.bytesRead, since: now });
      } else if (now - seen.since >= idleMs) {
        socket.destroy();
      }
    }
  }
}
