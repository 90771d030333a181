import { expect } from 'chai';
import { expectRefused, itToleratesTheDocumentedDrift, parse, sampleBody, variant } from '../support.js';

describe('Group.CallbackAfterMemberFieldChanged', () => {
  const C = 'Group.CallbackAfterMemberFieldChanged';

  it('accepts the documented (Chinese) sample: Modified_Account becomes Member_Account', () => {
    const e = parse(C, sampleBody(C));
    expect(e.GroupId).to.equal('@TGS#xxxx');
    expect(e.Member_Account).to.equal('123456');
    expect(e).not.to.have.property('Modified_Account');
    expect(e.Role).to.equal('Admin');
    expect(e.NameCard).to.equal('jacky');
    expect(e.EventTime).to.equal(1670574414123);
  });

  itToleratesTheDocumentedDrift(C, { group: true });

  it('accepts the English Member_Account', () => {
    const e = parse(C, variant(C, { Modified_Account: undefined, Member_Account: 'bob' }));
    expect(e.Member_Account).to.equal('bob');
  });

  it('accepts a role change alone (Admin set, Member unset) and a name card alone', () => {
    const role = parse(C, variant(C, { NameCard: undefined, Role: 'Member' }));
    expect(role.Role).to.equal('Member');
    expect(role.NameCard).to.equal(undefined);
    const card = parse(C, variant(C, { Role: undefined, NameCard: '' }));
    expect(card.Role).to.equal(undefined);
    expect(card.NameCard).to.equal('');
  });

  it('lists every failing field', () => {
    expectRefused(C, { GroupId: '@TGS#1', Role: 'Boss' }, ['Member_Account', 'Role']);
  });
});
