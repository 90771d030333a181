import { once } from 'node:events';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { PrivateRedis } from '@imsync/testing';
import { coalesceWrites } from '../src/index.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('coalesceWrites', () => {
  let server: PrivateRedis;
  let observer: Redis;
  const clients: Redis[] = [];
  const connect = async () => {
    const c = new Redis(server.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    clients.push(c);
    if (c.status !== 'ready') await once(c, 'ready');
    return c;
  };
  /** How many socket reads the server has processed: one per batch of commands that arrived together. */
  const readsProcessed = async () =>
    Number(/total_reads_processed:(\d+)/.exec(await observer.info('stats'))?.[1] ?? NaN);

  before(async () => {
    // a server of its own: its read counter sees only this test's traffic
    server = await PrivateRedis.start();
    observer = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.disconnect();
  });
  after(async () => {
    observer.disconnect();
    await server.stop();
  });

  it('sends the commands of one turn in one write, each with its own reply, in order', async () => {
    const redis = await connect();
    const writes = coalesceWrites(redis);
    const before = await readsProcessed();
    writes.hold();
    const replies = Promise.all(Array.from({ length: 50 }, (_, i) => redis.echo(`m${i}`)));
    writes.hold(); // again in the same turn: nothing more to do
    expect(redis.stream.writableCorked).to.equal(1);
    expect(await replies).to.deep.equal(Array.from({ length: 50 }, (_, i) => `m${i}`));
    // the 50 commands arrived as one read; the INFO that reads the counter is the other one
    expect((await readsProcessed()) - before).to.be.at.most(2);
    expect(redis.stream.writableCorked).to.equal(0);
  });

  it('without hold, the same commands arrive in more reads than that', async () => {
    // the control for the test above: it is the hold that coalesces, not Redis or the kernel
    const redis = await connect();
    const before = await readsProcessed();
    let sent = 0;
    const replies: Promise<string>[] = [];
    // one command per turn, each written on its own
    while (sent < 20) {
      replies.push(redis.echo(`m${sent++}`));
      await nextTurn();
    }
    await Promise.all(replies);
    expect((await readsProcessed()) - before).to.be.greaterThan(2);
  });

  it('releases the socket at the end of the turn, and holds again in a later one', async () => {
    const redis = await connect();
    const writes = coalesceWrites(redis);
    writes.hold();
    expect(redis.stream.writableCorked).to.equal(1);
    await nextTurn();
    expect(redis.stream.writableCorked).to.equal(0);
    writes.hold();
    expect(redis.stream.writableCorked).to.equal(1);
    expect(await redis.ping()).to.equal('PONG');
    expect(redis.stream.writableCorked).to.equal(0);
  });

  it('leaves a socket that is connected but not ready alone (ioredis still checks the server)', async () => {
    const redis = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    clients.push(redis);
    const writes = coalesceWrites(redis);
    // 'connect': the socket is open, ioredis's ready check (INFO) is yet to be answered
    const corkedAtConnect = new Promise<number>((resolve) =>
      redis.once('connect', () => {
        writes.hold();
        resolve(redis.stream.writableCorked);
      }),
    );
    await redis.connect();
    expect(await corkedAtConnect).to.equal(0);
    writes.hold();
    expect(redis.stream.writableCorked).to.equal(1);
    expect(await redis.ping()).to.equal('PONG');
  });

  it('holds the new socket after a reconnection, and never the old one again', async () => {
    const redis = await connect();
    const writes = coalesceWrites(redis);
    const old = redis.stream;
    redis.disconnect(true); // reconnect
    await once(redis, 'ready');
    expect(redis.stream).to.not.equal(old);
    writes.hold();
    expect(redis.stream.writableCorked).to.equal(1);
    expect(await redis.echo('after')).to.equal('after');
    expect(old.writableCorked).to.equal(0);
  });
});
