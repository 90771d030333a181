import { expect } from 'chai';
import { loadSample } from '@imsync/testing';
import { InvalidCallbackError, parseBody } from '../src/job.js';
import type { EventOf, SyncedCommand } from '../src/synced.js';

/** A fresh copy of the documented sample body of a command (tests may change it). */
export function sampleBody(command: SyncedCommand): Record<string, unknown> {
  return structuredClone(loadSample(command).body);
}

/** The sample with some fields replaced and some (`undefined`) removed. */
export function variant(command: SyncedCommand, changes: Record<string, unknown>): Record<string, unknown> {
  const body = { ...sampleBody(command), ...changes };
  for (const [k, v] of Object.entries(changes)) if (v === undefined) delete body[k];
  return body;
}

export function parse<C extends SyncedCommand>(command: C, body: unknown): EventOf<C> {
  return parseBody(command, body);
}

/** The errors of a body the contract refuses. */
export function refusal(command: SyncedCommand, body: unknown): readonly string[] {
  try {
    parseBody(command, body);
  } catch (err) {
    if (err instanceof InvalidCallbackError) return err.errors;
    throw err;
  }
  return expect.fail(`${command}: the body was accepted: ${JSON.stringify(body)}`);
}

/** The body is refused with one error per listed field (its path), and no other. */
export function expectRefused(command: SyncedCommand, body: unknown, fields: readonly string[]): void {
  const errors = refusal(command, body);
  for (const field of fields) {
    expect(
      errors.some((e) => e.startsWith(`${field} `)),
      `no error for ${field} in ${JSON.stringify(errors)}`,
    ).to.equal(true);
  }
  expect(errors, JSON.stringify(errors)).to.have.length(fields.length);
}

interface SharedOptions {
  /** The command carries `GroupId` (alias `groupID`). */
  readonly group?: boolean;
}

/**
 * What every synced command tolerates: EventTime as a number or a numeric string, fields Tencent adds
 * later, and (group events) `groupID` for `GroupId`.
 */
export function itToleratesTheDocumentedDrift(command: SyncedCommand, opts: SharedOptions = {}): void {
  it('accepts EventTime as a number and as a numeric string, both as a number', () => {
    for (const raw of [1670574414123, '1670574414123', ' 1670574414123']) {
      const e = parse(command, variant(command, { EventTime: raw })) as { EventTime?: number };
      expect(e.EventTime).to.equal(1670574414123);
    }
  });

  it('accepts a body without EventTime', () => {
    const e = parse(command, variant(command, { EventTime: undefined })) as { EventTime?: number };
    expect(e.EventTime).to.equal(undefined);
  });

  it('refuses an EventTime that is not a whole number of milliseconds', () => {
    for (const bad of ['yesterday', 1.5, -1, true])
      expectRefused(command, variant(command, { EventTime: bad }), ['EventTime']);
  });

  it('keeps fields Tencent adds later', () => {
    const e = parse(command, variant(command, { FutureField: { nested: [1, 'two'] }, FutureFlag: 0 }));
    expect(e).to.deep.include({ FutureField: { nested: [1, 'two'] }, FutureFlag: 0 });
  });

  it('refuses a NUL character (U+0000) anywhere, in a value or a key, known field or not, naming where', () => {
    expectRefused(command, variant(command, { FutureField: 'a\u0000b' }), ['FutureField']);
    expectRefused(command, variant(command, { Future: [{ ok: 'x', ['k\u0000']: 1 }] }), [
      'Future[0].k\u0000',
    ]);
    // the error names the field, with no interpolation of what the body sent
    expect(refusal(command, variant(command, { '${path}\u0000': 1 }))).to.deep.equal([
      '${path}\u0000 must not contain a NUL character (U+0000): PostgreSQL cannot store it',
    ]);
  });

  it('refuses a body that is not an object', () => {
    for (const bad of ['text', 42, null]) expect(refusal(command, bad)).to.have.length.greaterThan(0);
  });

  if (opts.group) {
    it('accepts groupID (English docs) for GroupId, and only GroupId reaches the event', () => {
      const body = sampleBody(command);
      const { GroupId, ...rest } = body;
      const e = parse(command, { ...rest, groupID: GroupId }) as Record<string, unknown>;
      expect(e.GroupId).to.equal(GroupId);
      expect(e).not.to.have.property('groupID');
    });

    it('keeps GroupId when groupID is sent too', () => {
      const e = parse(
        command,
        variant(command, { GroupId: '@TGS#canonical', groupID: '@TGS#alias' }),
      ) as Record<string, unknown>;
      expect(e.GroupId).to.equal('@TGS#canonical');
      expect(e).not.to.have.property('groupID');
    });

    it('refuses a missing or empty GroupId', () => {
      expectRefused(command, variant(command, { GroupId: undefined }), ['GroupId']);
      expectRefused(command, variant(command, { GroupId: '  ' }), ['GroupId']);
    });
  }
}
