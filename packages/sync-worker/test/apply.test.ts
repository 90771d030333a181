import { expect } from 'chai';
import { UnrecoverableError } from 'bullmq';
import { InvalidCallbackError } from '@imsync/callbacks';
import { isPermanent, parseJob } from '../src/apply.js';
import { sampleJob } from './support/jobs.js';

const pgError = (code: string) => Object.assign(new Error(code), { code });

describe('apply: retry or fail for good', () => {
  it('bad data, constraints, statements the schema refuses, PostgreSQL limits: permanent', () => {
    for (const code of ['22021', '22P05', '23505', '42P01', '42703', '54000']) {
      expect(isPermanent(pgError(code)), code).to.equal(true);
    }
    expect(isPermanent(new InvalidCallbackError(['x']))).to.equal(true);
    expect(isPermanent(new UnrecoverableError('x'))).to.equal(true);
  });

  it('serialization failures, deadlocks, lock timeouts, shutdowns, lost connections: transient', () => {
    for (const code of ['40001', '40P01', '55P03', '57P01', '08006', '53300', 'ECONNREFUSED', 'EPIPE']) {
      expect(isPermanent(pgError(code)), code).to.equal(false);
    }
    expect(isPermanent(new Error('socket hang up'))).to.equal(false);
  });

  it('parseJob: the typed event, its time (EventTime, else receipt) and version', () => {
    const job = sampleJob('State.StateChange');
    const e = parseJob('State.StateChange', job);
    expect(e.eventTime).to.equal(1629883332497);
    expect(e.version).to.equal((1629883332497n << 64n) + BigInt('0x' + job.eventKey.slice(0, 16)));
    const noTime = sampleJob('Sns.CallbackFriendAdd');
    expect(parseJob('Sns.CallbackFriendAdd', noTime).eventTime).to.equal(noTime.receivedAt);
  });

  it('parseJob: anything the catalog refuses is an UnrecoverableError listing why', () => {
    expect(() => parseJob('State.StateChange', null)).to.throw(
      UnrecoverableError,
      'job data is not an object',
    );
    expect(() =>
      parseJob('State.StateChange', { ...sampleJob('State.StateChange'), eventKey: 'x' }),
    ).to.throw(UnrecoverableError, 'eventKey must be sha256 hex');
    const fractional = { ...sampleJob('Sns.CallbackFriendAdd'), receivedAt: 1.5 };
    expect(() => parseJob('Sns.CallbackFriendAdd', fractional)).to.throw(
      UnrecoverableError,
      /invalid job: receivedAt must be a non-negative integer/,
    );
  });
});
