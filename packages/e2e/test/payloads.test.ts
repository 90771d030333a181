import { expect } from 'chai';
import { SYNCED_COMMANDS, validateBody, type SyncedCommand } from '@imsync/callbacks';
import { payload, PAYLOAD_COMMANDS } from '@imsync/testing';

// The kit's payload builder (the bench's traffic, the e2e tests' loads) cannot import the contract: the
// contract's own tests use the kit. This holds it to the contract instead.
describe("the test kit's payload builder", () => {
  it('has a body for every synced command of the contract, and for nothing else', () => {
    expect([...PAYLOAD_COMMANDS].sort()).to.deep.equal([...SYNCED_COMMANDS].sort());
  });

  it('builds bodies the contract accepts, on entities of their own', () => {
    const probes = new Set<string>();
    for (let i = 0; i < 2 * PAYLOAD_COMMANDS.length; i++) {
      const p = payload('kit', i);
      expect(() => validateBody(p.command as SyncedCommand, p.body), p.command).not.to.throw();
      const probe = `${p.probe.table}:${p.probe.value}`;
      expect(probes.has(probe), probe).to.equal(false);
      probes.add(probe);
    }
  });
});
