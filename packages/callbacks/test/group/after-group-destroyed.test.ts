import { expect } from 'chai';
import { expectRefused, itToleratesTheDocumentedDrift, parse, sampleBody, variant } from '../support.js';

describe('Group.CallbackAfterGroupDestroyed', () => {
  const C = 'Group.CallbackAfterGroupDestroyed';

  it('accepts the documented sample', () => {
    const e = parse(C, sampleBody(C));
    expect(e.GroupId).to.equal('@TGS#2J4SZEAEL');
    expect(e.Owner_Account).to.equal('leckie');
    expect(e.Operator_Account).to.equal('administrator');
    expect(e.Name).to.equal('MyFirstGroup');
    expect(e.MemberList?.map((m) => m.Member_Account)).to.deep.equal(['leckie', 'peter', 'bob']);
  });

  itToleratesTheDocumentedDrift(C, { group: true });

  it('accepts a Community group without MemberList (and the English page without Operator_Account)', () => {
    const e = parse(
      C,
      variant(C, {
        Type: 'Community',
        GroupId: '@TGS#_x',
        MemberList: undefined,
        Operator_Account: undefined,
      }),
    );
    expect(e.MemberList).to.equal(undefined);
    expect(e.Operator_Account).to.equal(undefined);
    expect(e.Type).to.equal('Community');
  });

  it('lists every failing field', () => {
    expectRefused(C, { MemberList: [{ Member_Account: '' }], EventTime: {} }, [
      'GroupId',
      'EventTime',
      'MemberList[0].Member_Account',
    ]);
  });
});
