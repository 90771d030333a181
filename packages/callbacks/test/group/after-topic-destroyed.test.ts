import { expect } from 'chai';
import { expectRefused, itToleratesTheDocumentedDrift, parse, sampleBody, variant } from '../support.js';

describe('Group.CallbackAfterTopicDestroyed', () => {
  const C = 'Group.CallbackAfterTopicDestroyed';

  it('accepts the documented sample (TopicIdList, no EventTime)', () => {
    const e = parse(C, sampleBody(C));
    expect(e.GroupId).to.equal('@TGS#_@TGS#cQVLVHIM62CJ');
    expect(e.TopicIdList).to.deep.equal([
      '@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic',
      '@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic_1',
    ]);
    expect(e.EventTime).to.equal(undefined);
  });

  itToleratesTheDocumentedDrift(C, { group: true });

  it('accepts TopicIdList as a string (the table says String) and a lone TopicId', () => {
    expect(parse(C, variant(C, { TopicIdList: '@TGS#_g@TOPIC#_a' })).TopicIdList).to.deep.equal([
      '@TGS#_g@TOPIC#_a',
    ]);
    expect(
      parse(C, variant(C, { TopicIdList: undefined, TopicId: '@TGS#_g@TOPIC#_b' })).TopicIdList,
    ).to.deep.equal(['@TGS#_g@TOPIC#_b']);
  });

  it('lists every failing field', () => {
    expectRefused(C, { TopicIdList: ['', '@TGS#_g@TOPIC#_a', ' '] }, [
      'GroupId',
      'TopicIdList[0]',
      'TopicIdList[2]',
    ]);
  });
});
