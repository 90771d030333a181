import { expect } from 'chai';
import { expectRefused, itToleratesTheDocumentedDrift, parse, sampleBody, variant } from '../support.js';

/** The tests every `PairList` command shares (src/sns/pairs.ts): `what` says what the sample's pairs mean. */
export function describePairListCommand(
  C: 'Sns.CallbackFriendDelete' | 'Sns.CallbackBlackListAdd' | 'Sns.CallbackBlackListDelete',
  what: string,
): void {
  describe(C, () => {
    it(`accepts the documented sample (no EventTime): ${what}`, () => {
      const e = parse(C, sampleBody(C));
      expect(e.EventTime).to.equal(undefined);
      expect(e.PairList).to.deep.equal([
        { From_Account: 'id', To_Account: 'id1' },
        { From_Account: 'id', To_Account: 'id2' },
        { From_Account: 'id', To_Account: 'id3' },
      ]);
    });

    itToleratesTheDocumentedDrift(C);

    it('accepts one pair, and numeric accounts as strings', () => {
      const e = parse(C, variant(C, { PairList: [{ From_Account: 10001, To_Account: 'bob' }] }));
      expect(e.PairList).to.deep.equal([{ From_Account: '10001', To_Account: 'bob' }]);
    });

    it('lists every failing field', () => {
      expectRefused(C, { PairList: [{ From_Account: '' }, { To_Account: 'x' }], EventTime: 'x' }, [
        'EventTime',
        'PairList[0].From_Account',
        'PairList[0].To_Account',
        'PairList[1].From_Account',
      ]);
      expectRefused(C, { PairList: [] }, ['PairList']);
      expectRefused(C, {}, ['PairList']);
    });
  });
}
