import { expect } from 'chai';
import { expectRefused, itToleratesTheDocumentedDrift, parse, sampleBody, variant } from '../support.js';

describe('Group.CallbackAfterSendMsg', () => {
  const C = 'Group.CallbackAfterSendMsg';

  it('accepts the documented sample', () => {
    const e = parse(C, sampleBody(C));
    expect(e.GroupId).to.equal('@TGS#2J4SZEAEL');
    expect(e.From_Account).to.equal('jared');
    expect(e.MsgSeq).to.equal(123);
    expect(e.MsgTime).to.equal(1490686222);
    expect(e.Random).to.equal(123456);
    expect(e.MsgBody).to.have.length(1);
    expect(e.EventTime).to.equal(1670574414123);
    // not in the schema, kept as sent
    expect(e).to.deep.include({ CloudCustomData: 'your cloud custom data', OnlineOnlyFlag: 1 });
    expect((e as Record<string, unknown>).GroupAtInfo).to.have.length(3);
  });

  itToleratesTheDocumentedDrift(C, { group: true });

  it('accepts a topic message with MsgId, and MsgSeq / MsgTime as numeric strings', () => {
    const e = parse(
      C,
      variant(C, { TopicId: '@TGS#_g@TOPIC#_t', MsgId: '144115-1-2', MsgSeq: '124', MsgTime: '1490686223' }),
    );
    expect(e.TopicId).to.equal('@TGS#_g@TOPIC#_t');
    expect(e.MsgId).to.equal('144115-1-2');
    expect(e.MsgSeq).to.equal(124);
    expect(e.MsgTime).to.equal(1490686223);
  });

  it('refuses a MsgSeq past 2^53 (not exact as a JSON number, past what its bigint column promises) and a MsgTime past the year 9999', () => {
    expectRefused(C, variant(C, { MsgSeq: 1e20 }), ['MsgSeq']);
    expectRefused(C, variant(C, { MsgSeq: Number.MAX_SAFE_INTEGER + 1 }), ['MsgSeq']);
    expect(parse(C, variant(C, { MsgSeq: Number.MAX_SAFE_INTEGER })).MsgSeq).to.equal(
      Number.MAX_SAFE_INTEGER,
    );
    expectRefused(C, variant(C, { MsgTime: 1e15 }), ['MsgTime']);
  });

  it('lists every failing field', () => {
    expectRefused(C, { GroupId: '@TGS#1', MsgSeq: 'first', MsgBody: 'hi' }, [
      'From_Account',
      'MsgSeq',
      'MsgBody',
    ]);
    expectRefused(C, variant(C, { MsgSeq: undefined, From_Account: undefined }), ['From_Account', 'MsgSeq']);
  });
});
