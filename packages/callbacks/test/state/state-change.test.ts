import { expect } from 'chai';
import { expectRefused, itToleratesTheDocumentedDrift, parse, sampleBody, variant } from '../support.js';

describe('State.StateChange', () => {
  const C = 'State.StateChange';

  it('accepts the documented sample', () => {
    const e = parse(C, sampleBody(C));
    expect(e.EventTime).to.equal(1629883332497);
    expect(e.Info).to.deep.equal({ Action: 'Login', To_Account: 'testuser316', Reason: 'Register' });
    expect(e.KickedDevice?.map((d) => d.Platform)).to.deep.equal(['Windows', 'Android']);
  });

  itToleratesTheDocumentedDrift(C);

  it('accepts Logout and Disconnect, with or without a Reason, without KickedDevice', () => {
    for (const [Action, Reason] of [
      ['Logout', 'Unregister'],
      ['Disconnect', 'LinkClose'],
      ['Disconnect', 'TimeOut'],
      ['Disconnect', undefined],
    ] as const) {
      const e = parse(C, variant(C, { Info: { Action, To_Account: 'u1', Reason }, KickedDevice: undefined }));
      expect(e.Info.Action).to.equal(Action);
      expect(e.Info.Reason).to.equal(Reason);
      expect(e.KickedDevice).to.equal(undefined);
    }
  });

  it('normalises the kicked devices’ platforms (IOS, iOs, macOS, ipad) and keeps an unknown one as sent', () => {
    const platforms = ['IOS', 'iOS', 'iOs', 'macOS', 'Mac', 'ipad', 'linux', 'Quest'];
    const e = parse(C, variant(C, { KickedDevice: platforms.map((Platform) => ({ Platform })) }));
    expect(e.KickedDevice?.map((d) => d.Platform)).to.deep.equal([
      'iOS',
      'iOS',
      'iOS',
      'Mac',
      'Mac',
      'iPad',
      'Linux',
      'Quest',
    ]);
  });

  it('accepts an Action it does not know (a custom status), trimmed, as sent', () => {
    const e = parse(C, variant(C, { Info: { Action: ' SetCustomStatus ', To_Account: 'u1' } }));
    expect(e.Info.Action).to.equal('SetCustomStatus');
  });

  it('lists every failing field', () => {
    expectRefused(C, { EventTime: 'soon', Info: { Action: ' ' } }, [
      'EventTime',
      'Info.Action',
      'Info.To_Account',
    ]);
    expectRefused(C, { Info: 'Login' }, ['Info']);
    expectRefused(C, {}, ['Info.Action', 'Info.To_Account']);
  });

  it('reports a kicked device whose Platform is not a string as that field (400, not a TypeError)', () => {
    expectRefused(C, variant(C, { KickedDevice: [{ Platform: ['iOS'] }] }), ['KickedDevice[0].Platform']);
  });

  it('refuses an EventTime past the year 9999 (it would win every later event for ever)', () => {
    expectRefused(C, variant(C, { EventTime: '10000000000000000' }), ['EventTime']);
    expect(parse(C, variant(C, { EventTime: 253_402_300_799_999 })).EventTime).to.equal(253_402_300_799_999);
  });
});
