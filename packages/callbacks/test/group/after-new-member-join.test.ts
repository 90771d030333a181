import { expect } from 'chai';
import { expectRefused, itToleratesTheDocumentedDrift, parse, sampleBody, variant } from '../support.js';

describe('Group.CallbackAfterNewMemberJoin', () => {
  const C = 'Group.CallbackAfterNewMemberJoin';

  it('accepts the documented sample', () => {
    const e = parse(C, sampleBody(C));
    expect(e.GroupId).to.equal('@TGS#2J4SZEAEL');
    expect(e.Type).to.equal('Public');
    expect(e.JoinType).to.equal('Apply');
    expect(e.Operator_Account).to.equal('leckie');
    expect(e.NewMemberList.map((m) => m.Member_Account)).to.deep.equal(['jared', 'tommy']);
    expect(e.EventTime).to.equal(1670574414123);
  });

  itToleratesTheDocumentedDrift(C, { group: true });

  it('accepts an invitation, one member, and a body without JoinType or Type', () => {
    const e = parse(C, variant(C, { JoinType: 'Invited', NewMemberList: [{ Member_Account: 'zoe' }] }));
    expect(e.JoinType).to.equal('Invited');
    expect(e.NewMemberList).to.deep.equal([{ Member_Account: 'zoe' }]);
    const bare = parse(C, variant(C, { JoinType: undefined, Type: undefined, Operator_Account: undefined }));
    expect(bare.JoinType).to.equal(undefined);
    expect(bare.Type).to.equal(undefined);
  });

  it('lists every failing field', () => {
    expectRefused(C, { groupID: '', NewMemberList: [{ Member_Account: '' }, {}] }, [
      'GroupId',
      'NewMemberList[0].Member_Account',
      'NewMemberList[1].Member_Account',
    ]);
    expectRefused(C, variant(C, { NewMemberList: undefined }), ['NewMemberList']);
  });
});
