import { expect } from 'chai';
import { expectRefused, itToleratesTheDocumentedDrift, parse, sampleBody, variant } from '../support.js';

describe('Group.CallbackOnMemberStateChange', () => {
  const C = 'Group.CallbackOnMemberStateChange';

  it('accepts the documented sample (no EventTime)', () => {
    const e = parse(C, sampleBody(C));
    expect(e.GroupId).to.equal('@TGS#2J4SZEAEL');
    expect(e.EventType).to.equal('Offline');
    expect(e.EventCause).to.equal('HeartbeatInterrupt');
    expect(e.MemberList.map((m) => m.Member_Account)).to.deep.equal(['jared', 'tommy']);
    expect(e.EventTime).to.equal(undefined);
  });

  itToleratesTheDocumentedDrift(C, { group: true });

  it('accepts Online and the English sample without EventCause', () => {
    const e = parse(C, variant(C, { EventType: 'Online', EventCause: undefined }));
    expect(e.EventType).to.equal('Online');
    expect(e.EventCause).to.equal(undefined);
  });

  it('lists every failing field', () => {
    expectRefused(C, { GroupId: '@TGS#1', EventType: 'Away', MemberList: [{}] }, [
      'EventType',
      'MemberList[0].Member_Account',
    ]);
    expectRefused(C, { GroupId: '@TGS#1' }, ['EventType', 'MemberList']);
  });
});
