import { expect } from 'chai';
import { loadSample } from '@imsync/testing';
import {
  eventKeyOf,
  eventVersion,
  InvalidCallbackError,
  parseSyncJob,
  type SyncJobData,
} from '../src/job.js';

describe('job envelope', () => {
  const sample = loadSample('Group.CallbackAfterMemberFieldChanged');
  const raw = JSON.stringify(sample.body);
  const data: SyncJobData = {
    v: 1,
    sdkAppId: 1400000001,
    command: 'Group.CallbackAfterMemberFieldChanged',
    clientIp: '127.0.0.1',
    optPlatform: 'iOS',
    receivedAt: 1_700_000_000_000,
    eventKey: eventKeyOf(1400000001, 'Group.CallbackAfterMemberFieldChanged', raw),
    body: sample.body,
  };

  it('keys a delivery by app, command and raw body', () => {
    const key = data.eventKey;
    expect(key).to.match(/^[0-9a-f]{64}$/);
    expect(eventKeyOf(1400000001, data.command, raw)).to.equal(key);
    expect(eventKeyOf(1400000002, data.command, raw)).not.to.equal(key);
    expect(eventKeyOf(1400000001, 'Group.CallbackAfterGroupFull', raw)).not.to.equal(key);
    expect(eventKeyOf(1400000001, data.command, raw + ' ')).not.to.equal(key);
  });

  it('orders versions by event time first, then by key', () => {
    const a = 'f'.repeat(64);
    const b = '0'.repeat(64);
    expect(eventVersion(1000, a) < eventVersion(1001, b)).to.equal(true);
    expect(eventVersion(1000, b) < eventVersion(1000, a)).to.equal(true);
  });

  it('parses a job into the normalised, typed event', () => {
    const e = parseSyncJob(data);
    expect(e.command).to.equal('Group.CallbackAfterMemberFieldChanged');
    expect(e.eventTime).to.equal(1670574414123);
    expect(e.version).to.equal(eventVersion(1670574414123, data.eventKey));
    expect(e.event).to.deep.include({ Member_Account: '123456', EventTime: 1670574414123 });
    expect(e).to.deep.include({ sdkAppId: 1400000001, clientIp: '127.0.0.1', optPlatform: 'iOS' });
  });

  it('falls back on the time ingest received a body without EventTime', () => {
    const friend = loadSample('Sns.CallbackFriendAdd').body;
    const e = parseSyncJob({ ...data, command: 'Sns.CallbackFriendAdd', body: friend });
    expect(e.eventTime).to.equal(data.receivedAt);
  });

  it('lists every problem of a bad envelope', () => {
    try {
      parseSyncJob({ v: 2, sdkAppId: 'x', eventKey: 'nope', command: 'Group.CallbackAfterRecallMsg' });
      expect.fail('accepted');
    } catch (err) {
      expect(err).to.be.instanceOf(InvalidCallbackError);
      expect((err as InvalidCallbackError).errors).to.have.length(5);
    }
    expect(() => parseSyncJob(null)).to.throw(InvalidCallbackError);
    expect(() => parseSyncJob({ ...data, body: { GroupId: 'g' } })).to.throw(
      InvalidCallbackError,
      /Member_Account/,
    );
  });

  it('refuses a receivedAt that is not a whole, non-negative number of ms, and non-string query fields', () => {
    for (const receivedAt of [1.5, Number.NaN, -5, '1700000000000']) {
      expect(() => parseSyncJob({ ...data, receivedAt }), String(receivedAt)).to.throw(
        InvalidCallbackError,
        /receivedAt must be a non-negative integer/,
      );
    }
    expect(() => parseSyncJob({ ...data, clientIp: 7 })).to.throw(
      InvalidCallbackError,
      /clientIp must be a string or null/,
    );
    expect(() => parseSyncJob({ ...data, optPlatform: {} })).to.throw(InvalidCallbackError, /optPlatform/);
  });
});
