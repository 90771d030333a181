import { expect } from 'chai';
import { expectRefused, itToleratesTheDocumentedDrift, parse, sampleBody, variant } from '../support.js';

describe('Group.CallbackAfterGroupAttrChanged', () => {
  const C = 'Group.CallbackAfterGroupAttrChanged';

  it('accepts the documented sample: lower-case key/value become Key/Value', () => {
    const e = parse(C, sampleBody(C));
    expect(e.GroupId).to.equal('@TGS#2J4SZEAEL');
    expect(e.OptionType).to.equal('set');
    expect(e.EventTime).to.equal(1670574414123);
    expect(e.GroupAttr).to.deep.equal([
      { Key: 'key1', Value: 'value1' },
      { Key: 'key2', Value: 'values' },
    ]);
  });

  itToleratesTheDocumentedDrift(C, { group: true });

  it('accepts Key/Value too, and every OptionType', () => {
    for (const OptionType of ['set', 'modify', 'delete', 'clear']) {
      const e = parse(C, variant(C, { OptionType, GroupAttr: [{ Key: 'k', Value: 'v' }] }));
      expect(e.OptionType).to.equal(OptionType);
      expect(e.GroupAttr).to.deep.equal([{ Key: 'k', Value: 'v' }]);
    }
  });

  it('accepts a clear without GroupAttr and a delete without values', () => {
    expect(parse(C, variant(C, { OptionType: 'clear', GroupAttr: undefined })).GroupAttr).to.deep.equal([]);
    const del = parse(C, variant(C, { OptionType: 'delete', GroupAttr: [{ key: 'key1' }] }));
    expect(del.GroupAttr).to.deep.equal([{ Key: 'key1', Value: '' }]);
  });

  it('lists every failing field', () => {
    expectRefused(C, { GroupId: '@TGS#1', OptionType: 'wipe', GroupAttr: [{ value: 'v' }] }, [
      'OptionType',
      'GroupAttr[0].Key',
    ]);
    expectRefused(C, variant(C, { OptionType: undefined }), ['OptionType']);
  });
});
