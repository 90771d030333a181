import { expect } from 'chai';
import { loadSample } from '@imsync/testing';
import { InvalidCallbackError, parseBody } from '../../src/job.js';

describe('Group.CallbackAfterCreateGroup', () => {
  const sample = loadSample('Group.CallbackAfterCreateGroup');

  it('accepts the documented sample, EventTime as a numeric string', () => {
    const e = parseBody('Group.CallbackAfterCreateGroup', sample.body);
    expect(e.GroupId).to.equal('@TGS#2J4SZEAEL');
    expect(e.EventTime).to.equal(1670574414123);
    expect(e.Owner_Account).to.equal('leckie');
    expect(e.MemberList.map((m) => m.Member_Account)).to.deep.equal(['bob', 'peter']);
    expect(e.UserDefinedDataList).to.deep.equal([
      { Key: 'UserDefined1', Value: 'hello' },
      { Key: 'UserDefined2', Value: 'world' },
    ]);
  });

  it('accepts EventTime as a number', () => {
    const e = parseBody('Group.CallbackAfterCreateGroup', { ...sample.body, EventTime: 1670574414123 });
    expect(e.EventTime).to.equal(1670574414123);
  });

  it('accepts groupID for GroupId', () => {
    const { GroupId, ...rest } = sample.body;
    const e = parseBody('Group.CallbackAfterCreateGroup', { ...rest, groupID: GroupId });
    expect(e.GroupId).to.equal(GroupId);
    expect(e).not.to.have.property('groupID');
  });

  it('keeps fields Tencent adds later', () => {
    const e = parseBody('Group.CallbackAfterCreateGroup', { ...sample.body, NewField: 1 });
    expect(e).to.have.property('NewField', 1);
  });

  it('lists every failing field', () => {
    try {
      parseBody('Group.CallbackAfterCreateGroup', { EventTime: 'yesterday', MemberList: [{}] });
      expect.fail('should throw');
    } catch (err) {
      expect(err).to.be.instanceOf(InvalidCallbackError);
      const errors = (err as InvalidCallbackError).errors.join('\n');
      for (const field of ['GroupId', 'Type', 'Operator_Account', 'EventTime', 'MemberList[0].Member_Account']) {
        expect(errors).to.contain(field);
      }
    }
  });
});
