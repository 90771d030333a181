import { expect } from 'chai';
import { expectRefused, itToleratesTheDocumentedDrift, parse, sampleBody, variant } from '../support.js';

describe('Group.CallbackAfterMemberExit', () => {
  const C = 'Group.CallbackAfterMemberExit';

  it('accepts the documented sample (members kicked)', () => {
    const e = parse(C, sampleBody(C));
    expect(e.GroupId).to.equal('@TGS#2J4SZEAEL');
    expect(e.ExitType).to.equal('Kicked');
    expect(e.Operator_Account).to.equal('leckie');
    expect(e.ExitMemberList.map((m) => m.Member_Account)).to.deep.equal(['jared', 'tommy']);
    expect(e.EventTime).to.equal(1670574414123);
  });

  itToleratesTheDocumentedDrift(C, { group: true });

  it('accepts a member who quit', () => {
    const e = parse(
      C,
      variant(C, {
        ExitType: 'Quit',
        Operator_Account: 'jared',
        ExitMemberList: [{ Member_Account: 'jared' }],
      }),
    );
    expect(e.ExitType).to.equal('Quit');
    expect(e.ExitMemberList).to.deep.equal([{ Member_Account: 'jared' }]);
  });

  it('lists every failing field', () => {
    expectRefused(C, { ExitMemberList: [{ Member_Account: null }] }, [
      'GroupId',
      'ExitMemberList[0].Member_Account',
    ]);
    expectRefused(C, variant(C, { ExitMemberList: 'jared' }), ['ExitMemberList']);
  });
});
