import { expect } from 'chai';
import { expectRefused, itToleratesTheDocumentedDrift, parse, sampleBody, variant } from '../support.js';

describe('Group.CallbackAfterGroupFull', () => {
  const C = 'Group.CallbackAfterGroupFull';

  it('accepts the documented sample', () => {
    const e = parse(C, sampleBody(C));
    expect(e.GroupId).to.equal('@TGS#2J4SZEAEL');
    expect(e.EventTime).to.equal(1670574414123);
    expect(e.TopicId).to.equal(undefined);
  });

  itToleratesTheDocumentedDrift(C, { group: true });

  it('accepts a private topic’s TopicId (Chinese page)', () => {
    expect(parse(C, variant(C, { TopicId: '@TGS#_g@TOPIC#_t' })).TopicId).to.equal('@TGS#_g@TOPIC#_t');
  });

  it('lists every failing field', () => {
    expectRefused(C, { EventTime: 'late', TopicId: {} }, ['GroupId', 'EventTime', 'TopicId']);
  });
});
