import { expect } from 'chai';
import { expectRefused, itToleratesTheDocumentedDrift, parse, sampleBody, variant } from '../support.js';

describe('Group.CallbackAfterChangeGroupOwner', () => {
  const C = 'Group.CallbackAfterChangeGroupOwner';

  it('accepts the documented sample, EventTime as a numeric string', () => {
    const e = parse(C, sampleBody(C));
    expect(e.GroupId).to.equal('@TGS#2TTV7VSII');
    expect(e.OldOwner_Account).to.equal('user1');
    expect(e.NewOwner_Account).to.equal('user2');
    expect(e.Operator_Account).to.equal('admin');
    expect(e.EventTime).to.equal(1670574414123);
  });

  itToleratesTheDocumentedDrift(C, { group: true });

  it('accepts a transfer by the owner (client) without Type', () => {
    const e = parse(C, variant(C, { Operator_Account: 'user1', Type: undefined }));
    expect(e.Operator_Account).to.equal('user1');
  });

  it('lists every failing field', () => {
    expectRefused(C, { GroupId: '@TGS#1', OldOwner_Account: '' }, ['OldOwner_Account', 'NewOwner_Account']);
  });
});
