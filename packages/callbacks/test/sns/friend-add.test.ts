import { expect } from 'chai';
import { expectRefused, itToleratesTheDocumentedDrift, parse, sampleBody, variant } from '../support.js';

describe('Sns.CallbackFriendAdd', () => {
  const C = 'Sns.CallbackFriendAdd';

  it('accepts the documented sample (no EventTime): To_Account added to From_Account, with the initiator', () => {
    const e = parse(C, sampleBody(C));
    expect(e.EventTime).to.equal(undefined);
    expect(e.PairList).to.have.length(3);
    expect(e.PairList[0]).to.deep.equal({ From_Account: 'id', To_Account: 'id1', Initiator_Account: 'id' });
    expect(e.ClientCmd).to.equal('friend_add');
    expect(e.Admin_Account).to.equal('');
    expect(e.ForceFlag).to.equal(1);
  });

  itToleratesTheDocumentedDrift(C);

  it('accepts a response (FriendResponse), a numeric-string ForceFlag and a pair without Initiator_Account', () => {
    const e = parse(
      C,
      variant(C, {
        ClientCmd: 'FriendResponse',
        ForceFlag: '0',
        Admin_Account: undefined,
        PairList: [{ From_Account: 'bob', To_Account: 'alice' }],
      }),
    );
    expect(e.ClientCmd).to.equal('FriendResponse');
    expect(e.ForceFlag).to.equal(0);
    expect(e.PairList).to.deep.equal([{ From_Account: 'bob', To_Account: 'alice' }]);
  });

  it('lists every failing field', () => {
    expectRefused(C, { PairList: [{ From_Account: ' ' }], ForceFlag: 'yes' }, [
      'ForceFlag',
      'PairList[0].From_Account',
      'PairList[0].To_Account',
    ]);
    expectRefused(C, { PairList: [] }, ['PairList']);
    expectRefused(C, { ClientCmd: 'friend_add' }, ['PairList']);
  });
});
