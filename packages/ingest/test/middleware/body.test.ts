import { once } from 'node:events';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { REJECTIONS, type RejectionReason } from '@imsync/callbacks';
import { loadSample } from '@imsync/testing';
import { OK, PATH, startHarness, type Harness } from '../support.js';

const sample = loadSample('Group.CallbackAfterCreateGroup');
const raw = JSON.stringify(sample.body);

describe('Content-Encoding: decoded when imsync can, refused with its own code when not', () => {
  let h: Harness;
  let server: Server;
  beforeEach(async () => {
    h = await startHarness({ env: { BODY_LIMIT_BYTES: '4096' } });
    server = await h.listen();
  });
  afterEach(async () => {
    server.close();
    await once(server, 'close');
    await h.close();
  });

  /** POSTs `body` byte for byte with the given Content-Encoding (supertest would re-encode a Buffer). */
  function send(encoding: string, body: Buffer): Promise<{ status: number; json: Record<string, unknown> }> {
    const { port } = server.address() as AddressInfo;
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: `${PATH}?${sample.query.toString()}`,
          headers: { 'content-type': 'application/json', 'content-encoding': encoding },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  async function expectRejected(encoding: string, body: Buffer, reason: RejectionReason): Promise<void> {
    const res = await send(encoding, body);
    expect(res.status, encoding).to.equal(REJECTIONS[reason].status);
    expect(res.json, encoding).to.deep.include({ ActionStatus: 'FAIL', ErrorCode: REJECTIONS[reason].code });
    expect(res.json.ErrorInfo, encoding).to.contain(REJECTIONS[reason].info);
  }

  it('accepts a body really compressed with gzip, deflate or br, whatever the case of the header', async () => {
    const bodies: [string, Buffer][] = [
      ['gzip', gzipSync(raw)],
      ['deflate', deflateSync(raw)],
      ['br', brotliCompressSync(raw)],
      ['GZip', gzipSync(raw)],
      [' identity ', Buffer.from(raw)],
    ];
    for (const [encoding, body] of bodies) {
      const res = await send(encoding, body);
      expect(res, encoding).to.deep.equal({ status: 200, json: OK });
    }
    // the same delivery each time (the event key is over the decoded body): one job
    expect(await h.sync.count()).to.equal(1);
  });

  it('400 undecodableBody (40005) for a body labelled gzip, deflate or br that is not, or is cut short', async () => {
    for (const encoding of ['gzip', 'deflate', 'br', 'BR'])
      await expectRejected(encoding, Buffer.from(raw), 'undecodableBody');
    await expectRejected('gzip', gzipSync(raw).subarray(0, 12), 'undecodableBody');
    await expectRejected('gzip', Buffer.alloc(0), 'undecodableBody');
    expect(await h.sync.count()).to.equal(0);
  });

  it('415 unsupportedEncoding (41501) for a coding imsync does not decode', async () => {
    for (const encoding of ['compress', 'zstd', 'gzip, gzip', 'x-anything'])
      await expectRejected(encoding, Buffer.from(raw), 'unsupportedEncoding');
    expect(await h.sync.count()).to.equal(0);
  });

  it('413 for a compressed body over BODY_LIMIT_BYTES once decoded', async () => {
    const big = JSON.stringify({ ...sample.body, Pad: 'x'.repeat(100_000) });
    expect(gzipSync(big).length).to.be.below(4096);
    await expectRejected('gzip', gzipSync(big), 'tooLarge');
  });
});
