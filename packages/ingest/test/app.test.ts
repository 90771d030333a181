import { once } from 'node:events';
import { Agent, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { loadSample } from '@imsync/testing';
import { OK, PATH, startHarness, type Harness } from './support.js';

describe('the public server', () => {
  let h: Harness;
  let server: Server;
  let agent: Agent;
  beforeEach(async () => {
    h = await startHarness();
    server = await h.listen();
    server.keepAliveTimeout = h.config.keepAliveTimeoutMs; // as main.ts does
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
  });
  afterEach(async () => {
    agent.destroy();
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
    await h.close();
  });

  function send(
    path: string,
    body: string,
  ): Promise<{ status: number; json: unknown; reused: boolean; connection?: string }> {
    const { port } = server.address() as AddressInfo;
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', agent }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            json: JSON.parse(text),
            reused: req.reusedSocket,
            connection: res.headers.connection,
          }),
        );
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  it('keeps the connection alive across answers, OK or refused, as Tencent expects', async () => {
    const sample = loadSample('Group.CallbackAfterGroupFull');
    const path = `${PATH}?${sample.query.toString()}`;
    const first = await send(path, JSON.stringify(sample.body));
    expect(first).to.deep.include({ status: 200, json: OK, reused: false, connection: 'keep-alive' });
    const refused = await send(path, '{broken');
    expect(refused).to.deep.include({ status: 400, reused: true, connection: 'keep-alive' });
    const third = await send(path, JSON.stringify({ ...sample.body, EventTime: 1 }));
    expect(third).to.deep.include({ status: 200, json: OK, reused: true });
    const notFound = await send('/nope', '{}');
    expect(notFound).to.deep.include({ status: 404, reused: true, connection: 'keep-alive' });
    expect(await h.sync.count()).to.equal(2);
  });
});
