import { expect } from 'chai';
import { UnrecoverableError } from 'bullmq';
import { lockKeyOf, parseJob } from '../src/apply.js';
import { sampleJob } from './support/jobs.js';

describe('apply: parse and apply', () => {
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

  it('lockKeyOf: the table and row a job locks first, the same for every command on that row', () => {
    const key = (command: Parameters<typeof sampleJob>[0]) =>
      lockKeyOf(parseJob(command, sampleJob(command)));
    expect(key('Group.CallbackAfterCreateGroup')).to.equal(key('Group.CallbackAfterGroupFull'));
    expect(key('Group.CallbackAfterCreateGroup')).to.match(/^groups:\d+:@TGS#2J4SZEAEL$/);
    expect(key('Sns.CallbackFriendAdd'))
      .to.equal(key('Sns.CallbackFriendDelete'))
      .and.match(/^friendships:/);
    expect(key('Sns.CallbackBlackListAdd'))
      .to.equal(key('Sns.CallbackBlackListDelete'))
      .and.match(/^blocklist:/);
    expect(key('State.StateChange')).to.match(/^users:\d+:testuser316$/);
    expect(key('Profile.CallbackPortraitSet')).to.match(/^users:\d+:id1$/);
  });
});
