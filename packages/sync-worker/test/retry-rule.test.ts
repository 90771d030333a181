import { expect } from 'chai';
import { UnrecoverableError } from 'bullmq';
import { InvalidCallbackError } from '@imsync/callbacks';
import { batchRetryCannotHelp, failedForGood, isLastAttempt, isPermanent } from '../src/retry-rule.js';

const pgError = (code: string) => Object.assign(new Error(code), { code });

describe('retry rule: retry or fail for good', () => {
  it('bad data, constraints, PostgreSQL limits, a value of the wrong type: permanent', () => {
    for (const code of ['22021', '22P05', '22008', '23505', '42804', '54000']) {
      expect(isPermanent(pgError(code)), code).to.equal(true);
    }
    expect(isPermanent(new InvalidCallbackError(['x']))).to.equal(true);
    expect(isPermanent(new UnrecoverableError('x'))).to.equal(true);
  });

  it('serialization failures, deadlocks, lock timeouts, shutdowns, lost connections: transient', () => {
    // a missing table or privilege is a deployment fault: retried until the deploy is fixed
    for (const code of [
      '40001',
      '40P01',
      '55P03',
      '57014',
      '57P01',
      '08006',
      '53300',
      '42P01',
      '42501',
      'ECONNREFUSED',
      'EPIPE',
    ]) {
      expect(isPermanent(pgError(code)), code).to.equal(false);
    }
    expect(isPermanent(new Error('socket hang up'))).to.equal(false);
  });

  const job = (attemptsMade: number, attempts?: number) => ({ attemptsMade, opts: { attempts } });

  it('the last attempt: the one that, finished, uses up the attempts (one when none are set)', () => {
    expect(isLastAttempt(job(0, 10))).to.equal(false);
    expect(isLastAttempt(job(8, 10))).to.equal(false);
    expect(isLastAttempt(job(9, 10))).to.equal(true);
    expect(isLastAttempt(job(0))).to.equal(true);
  });

  it('a batch is retried while a retry can help: some failure transient and attempts left', () => {
    const transient = pgError('40P01');
    const permanent = pgError('23505');
    expect(batchRetryCannotHelp(job(0, 10), [transient, permanent])).to.equal(false);
    expect(batchRetryCannotHelp(job(0, 10), [permanent, new UnrecoverableError('x')])).to.equal(true);
    expect(batchRetryCannotHelp(job(9, 10), [transient])).to.equal(true);
  });

  it('a failed job is failed for good when unrecoverable or out of attempts (BullMQ counted this one)', () => {
    expect(failedForGood(job(1, 10), new UnrecoverableError('x'))).to.equal(true);
    expect(failedForGood(job(1, 10), new Error('x'))).to.equal(false);
    expect(failedForGood(job(10, 10), new Error('x'))).to.equal(true);
    expect(failedForGood(job(1), new Error('x'))).to.equal(true);
  });
});
