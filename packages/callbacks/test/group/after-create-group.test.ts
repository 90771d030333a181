import { expect } from 'chai';
import { expectRefused, itToleratesTheDocumentedDrift, parse, sampleBody, variant } from '../support.js';

describe('Group.CallbackAfterCreateGroup', () => {
  const C = 'Group.CallbackAfterCreateGroup';

  it('accepts the documented sample, EventTime as a numeric string', () => {
    const e = parse(C, sampleBody(C));
    expect(e.GroupId).to.equal('@TGS#2J4SZEAEL');
    expect(e.EventTime).to.equal(1670574414123);
    expect(e.Type).to.equal('Public');
    expect(e.Name).to.equal('MyFirstGroup');
    expect(e.Operator_Account).to.equal('group_root');
    expect(e.Owner_Account).to.equal('leckie');
    expect(e.MemberList.map((m) => m.Member_Account)).to.deep.equal(['bob', 'peter']);
    expect(e.UserDefinedDataList).to.deep.equal([
      { Key: 'UserDefined1', Value: 'hello' },
      { Key: 'UserDefined2', Value: 'world' },
    ]);
  });

  itToleratesTheDocumentedDrift(C, { group: true });

  it('accepts a group without initial members, custom fields or owner (AVChatRoom, REST)', () => {
    const e = parse(
      C,
      variant(C, {
        Type: 'AVChatRoom',
        MemberList: undefined,
        UserDefinedDataList: undefined,
        Owner_Account: undefined,
      }),
    );
    expect(e.MemberList).to.deep.equal([]);
    expect(e.UserDefinedDataList).to.deep.equal([]);
    expect(e.Owner_Account).to.equal(undefined);
  });

  it('accepts the new type names (Work, Meeting, Community) and lower-case custom-field keys', () => {
    for (const Type of ['Work', 'Meeting', 'Community', 'Private', 'ChatRoom']) {
      expect(parse(C, variant(C, { Type })).Type).to.equal(Type);
    }
    const e = parse(C, variant(C, { UserDefinedDataList: [{ key: 'k', value: 'v' }] }));
    expect(e.UserDefinedDataList).to.deep.equal([{ Key: 'k', Value: 'v' }]);
  });

  it('refuses a NUL character in a name, a member or a custom field, which PostgreSQL could not store', () => {
    expectRefused(C, variant(C, { Name: 'My\u0000Group' }), ['Name']);
    expectRefused(
      C,
      variant(C, { MemberList: [{ Member_Account: 'bob' }, { Member_Account: 'pe\u0000ter' }] }),
      ['MemberList[1].Member_Account'],
    );
    expectRefused(C, variant(C, { UserDefinedDataList: [{ Key: 'k', Value: '\u0000' }] }), [
      'UserDefinedDataList[0].Value',
    ]);
  });

  it('lists every failing field', () => {
    expectRefused(C, { EventTime: 'yesterday', MemberList: [{}], UserDefinedDataList: [{ Value: 'v' }] }, [
      'GroupId',
      'Type',
      'Operator_Account',
      'EventTime',
      'MemberList[0].Member_Account',
      'UserDefinedDataList[0].Key',
    ]);
  });
});

describe('Group.CallbackAfterCreateGroup: a value of the wrong type', () => {
  it('is reported as that field (an array or an object where a string is expected), not thrown as a TypeError', () => {
    const body = { GroupId: ['@TGS#1'], Type: 'Public', Operator_Account: { id: 'x' }, Owner_Account: 'o' };
    expectRefused('Group.CallbackAfterCreateGroup', body, ['GroupId', 'Operator_Account']);
  });
});
