import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { expect } from 'chai';
import { ConnectionDrain } from '../src/drain.js';

interface Held {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  answer(body?: string): void;
}

/** A real HTTP server whose requests wait until the test answers them. */
class HeldServer {
  readonly server: Server = createServer();
  readonly drain = new ConnectionDrain(this.server, (req, res) => this.onRequest(req, res));
  readonly held: Held[] = [];
  private waiters: (() => void)[] = [];

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    this.held.push({ req, res, answer: (body = req.url ?? '') => res.end(body) });
    for (const w of this.waiters.splice(0)) w();
  }

  async listen(): Promise<number> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return (this.server.address() as AddressInfo).port;
  }

  /** Resolves once `n` requests have reached the app. */
  async requests(n: number): Promise<Held[]> {
    while (this.held.length < n) await new Promise<void>((r) => this.waiters.push(r));
    return this.held.slice(0, n);
  }
}

interface RawAnswer {
  readonly status: number;
  readonly connection: string | undefined;
  readonly body: string;
}

/** A raw client connection: it writes bytes as the test says and parses the answers as they come. */
class RawClient {
  readonly socket: Socket;
  private text = '';
  readonly answers: RawAnswer[] = [];
  /** 'end' (the server closed it gracefully), 'error: CODE' (a reset), or undefined while open. */
  closed: string | undefined;
  private readonly closedPromise: Promise<string>;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.setEncoding('utf8');
    this.socket.on('data', (chunk: string) => {
      this.text += chunk;
      this.parse();
    });
    this.closedPromise = new Promise((resolve) => {
      this.socket.on('error', (err: NodeJS.ErrnoException) => (this.closed ??= `error: ${err.code}`));
      this.socket.on('close', () => resolve((this.closed ??= 'end')));
    });
  }

  async connected(): Promise<this> {
    await once(this.socket, 'connect');
    return this;
  }

  send(...paths: string[]): void {
    this.socket.write(paths.map((p) => `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`).join(''));
  }

  async answersCount(n: number): Promise<RawAnswer[]> {
    while (this.answers.length < n) {
      if (this.closed) throw new Error(`closed (${this.closed}) after ${this.answers.length} answers`);
      await Promise.race([once(this.socket, 'data'), this.closedPromise]);
    }
    return this.answers.slice(0, n);
  }

  whenClosed(): Promise<string> {
    return this.closedPromise;
  }

  private parse(): void {
    for (;;) {
      const end = this.text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.text.slice(0, end).split('\r\n');
      const headers = new Map(
        head
          .slice(1)
          .map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      const length = Number(headers.get('content-length') ?? 0);
      if (this.text.length < end + 4 + length) return;
      this.answers.push({
        status: Number(head[0]?.split(' ')[1]),
        connection: headers.get('connection'),
        body: this.text.slice(end + 4, end + 4 + length),
      });
      this.text = this.text.slice(end + 4 + length);
    }
  }
}

describe('ConnectionDrain (a real HTTP server)', () => {
  let s: HeldServer;
  let port: number;
  const clients: RawClient[] = [];
  const client = async () => {
    const c = await new RawClient(port).connected();
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    s = new HeldServer();
    port = await s.listen();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.socket.destroy();
    s.server.closeAllConnections();
    if (s.server.listening) await new Promise((r) => s.server.close(r));
  });

  it('keeps connections alive until told, then answers with Connection: close and closes each after its answer', async () => {
    const c = await client();
    c.send('/a');
    (await s.requests(1))[0]!.answer();
    expect(await c.answersCount(1)).to.deep.equal([{ status: 200, connection: 'keep-alive', body: '/a' }]);

    s.drain.closeAfterAnswers();
    c.send('/b'); // the same, idle keep-alive connection
    (await s.requests(2))[1]!.answer();
    expect((await c.answersCount(2))[1]).to.deep.equal({ status: 200, connection: 'close', body: '/b' });
    expect(await c.whenClosed()).to.equal('end');
  });

  it('a request read before, answered after: its answer says close', async () => {
    const c = await client();
    c.send('/in-flight');
    const [held] = await s.requests(1);
    s.drain.closeAfterAnswers();
    held!.answer();
    expect(await c.answersCount(1)).to.deep.equal([{ status: 200, connection: 'close', body: '/in-flight' }]);
    expect(await c.whenClosed()).to.equal('end');
  });

  it('pipelined requests: every one read is answered, only the last answer closes', async () => {
    const c = await client();
    c.send('/p1', '/p2');
    const held = await s.requests(2);
    s.drain.closeAfterAnswers();
    c.send('/p3'); // read after the drain began: now the last one
    held.push(...(await s.requests(3)).slice(2));
    for (const h of held) h.answer();
    expect(await c.answersCount(3)).to.deep.equal([
      { status: 200, connection: 'keep-alive', body: '/p1' },
      { status: 200, connection: 'keep-alive', body: '/p2' },
      { status: 200, connection: 'close', body: '/p3' },
    ]);
    expect(await c.whenClosed()).to.equal('end');
    expect(s.drain.unanswerable).to.equal(0);
  });

  it('a request pipelined behind an answer already written with close is not processed', async () => {
    const c = await client();
    s.drain.closeAfterAnswers();
    c.send('/first');
    const [first] = await s.requests(1);
    first!.res.setHeader('content-length', '6');
    first!.res.write('/fir'); // the head (Connection: close) is written, the answer is not finished
    c.send('/second');
    await new Promise((r) => setTimeout(r, 100));
    first!.res.end('st');
    expect(await c.answersCount(1)).to.deep.equal([{ status: 200, connection: 'close', body: '/first' }]);
    expect(await c.whenClosed()).to.equal('end');
    expect(s.held.map((h) => h.req.url)).to.deep.equal(['/first']);
    expect(s.drain.unanswerable).to.equal(1);
  });

  it('close(): no longer listens, yet a connection accepted before sends its request afterwards and is answered', async () => {
    const early = await client(); // connected, nothing sent yet
    const closing = s.drain.close({ settleMs: 300, deadlineMs: 5000, idleMs: 1000 });
    while (s.server.listening) await new Promise((r) => setTimeout(r, 10));
    const refused = await new Promise<string>((resolve) => {
      const late = connect(port, '127.0.0.1');
      late.on('connect', () => resolve('connected'));
      late.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    expect(refused).to.equal('ECONNREFUSED');
    early.send('/late-request');
    (await s.requests(1))[0]!.answer();
    expect(await early.answersCount(1)).to.deep.equal([
      { status: 200, connection: 'close', body: '/late-request' },
    ]);
    expect(await early.whenClosed()).to.equal('end');
    expect(await closing).to.deep.equal({ forced: 0 });
    expect(s.drain.connections).to.equal(0);
  });

  it('close(): a keep-alive connection idle when the server stops listening is still answered if it sends at once', async () => {
    const c = await client();
    c.send('/a');
    (await s.requests(1))[0]!.answer();
    expect((await c.answersCount(1))[0]?.connection).to.equal('keep-alive'); // idle from now on
    const closing = s.drain.close({ settleMs: 300, deadlineMs: 5000, idleMs: 1000 });
    while (s.server.listening) await new Promise((r) => setTimeout(r, 10));
    c.send('/b'); // what a client may do at any moment on a keep-alive connection
    (await s.requests(2))[1]!.answer();
    expect((await c.answersCount(2))[1]).to.deep.equal({ status: 200, connection: 'close', body: '/b' });
    expect(await c.whenClosed()).to.equal('end');
    expect(await closing).to.deep.equal({ forced: 0 });
  });

  it('close(): until it stops listening, answers keep their connection, so that no client is reconnecting then', async () => {
    const c = await client();
    s.drain.closeAfterAnswers();
    c.send('/during-settle');
    const [held] = await s.requests(1);
    const closing = s.drain.close({ settleMs: 300, deadlineMs: 5000, idleMs: 1000 });
    held!.answer();
    expect((await c.answersCount(1))[0]?.connection).to.equal('keep-alive');
    while (s.server.listening) await new Promise((r) => setTimeout(r, 10));
    c.send('/after');
    (await s.requests(2))[1]!.answer();
    expect((await c.answersCount(2))[1]).to.deep.equal({ status: 200, connection: 'close', body: '/after' });
    expect(await closing).to.deep.equal({ forced: 0 });
  });

  it('close(): a connection that stays idle is closed after idleMs, well before the deadline', async () => {
    const idle = await client();
    idle.send('/a');
    (await s.requests(1))[0]!.answer();
    await idle.answersCount(1); // a keep-alive connection, idle from now on
    const started = Date.now();
    expect(await s.drain.close({ settleMs: 300, deadlineMs: 20_000, idleMs: 200 })).to.deep.equal({
      forced: 0,
    });
    expect(Date.now() - started).to.be.below(15_000);
    expect(await idle.whenClosed()).to.not.equal(undefined);
  });

  it('close(): a request not answered by the deadline has its connection closed, and is counted', async () => {
    const stuck = await client();
    stuck.send('/stuck');
    await s.requests(1);
    expect(await s.drain.close({ settleMs: 300, deadlineMs: 300, idleMs: 100 })).to.deep.equal({ forced: 1 });
    expect(await stuck.whenClosed()).to.not.equal(undefined);
    expect(stuck.answers).to.deep.equal([]);
  });
});
