import { expect } from 'chai';
import { expectRefused, itToleratesTheDocumentedDrift, parse, sampleBody, variant } from '../support.js';

describe('Group.CallbackAfterCreateTopic', () => {
  const C = 'Group.CallbackAfterCreateTopic';

  it('accepts the documented sample (no EventTime)', () => {
    const e = parse(C, sampleBody(C));
    expect(e.GroupId).to.equal('@TGS#2J4SZEAEL');
    expect(e.TopicId).to.equal('@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_@TOPIC#cRTE3HIM62C5');
    expect(e.Type).to.equal('Community');
    expect(e.Name).to.equal('MyFirstTopic');
    expect(e.Owner_Account).to.equal('leckie');
    expect(e.UserDefinedDataList).to.deep.equal([
      { Key: 'UserDefined1', Value: 'hello' },
      { Key: 'UserDefined2', Value: 'world' },
    ]);
  });

  itToleratesTheDocumentedDrift(C, { group: true });

  it('accepts a topic without custom fields, with lower-case custom-field keys', () => {
    expect(parse(C, variant(C, { UserDefinedDataList: undefined })).UserDefinedDataList).to.deep.equal([]);
    const e = parse(C, variant(C, { UserDefinedDataList: [{ key: 'k', value: 'v' }] }));
    expect(e.UserDefinedDataList).to.deep.equal([{ Key: 'k', Value: 'v' }]);
  });

  it('lists every failing field', () => {
    expectRefused(C, { TopicId: ['t'], UserDefinedDataList: [{}] }, [
      'GroupId',
      'TopicId',
      'UserDefinedDataList[0].Key',
    ]);
  });
});
