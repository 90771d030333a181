import { expect } from 'chai';
import { expectRefused, itToleratesTheDocumentedDrift, parse, sampleBody, variant } from '../support.js';

describe('Group.CallbackAfterGroupInfoChanged', () => {
  const C = 'Group.CallbackAfterGroupInfoChanged';
  const FIELDS = ['Name', 'Introduction', 'Notification', 'FaceUrl'] as const;

  it('accepts the documented sample: only the changed field is carried', () => {
    const e = parse(C, sampleBody(C));
    expect(e.GroupId).to.equal('@TGS#2J4SZEAEL');
    expect(e.Notification).to.equal('NewNotification');
    expect(e.Name).to.equal(undefined);
    expect(e.Introduction).to.equal(undefined);
    expect(e.FaceUrl).to.equal(undefined);
  });

  itToleratesTheDocumentedDrift(C, { group: true });

  it('accepts each of the four fields alone, all four together, and an emptied one', () => {
    const base = variant(C, { Notification: undefined });
    for (const f of FIELDS) {
      const e = parse(C, { ...base, [f]: `new ${f}` }) as Record<string, unknown>;
      for (const g of FIELDS) expect(e[g]).to.equal(g === f ? `new ${f}` : undefined);
    }
    const all = parse(C, { ...base, Name: 'n', Introduction: 'i', Notification: '', FaceUrl: 'http://f' });
    expect(all).to.deep.include({ Name: 'n', Introduction: 'i', Notification: '', FaceUrl: 'http://f' });
  });

  it('lists every failing field', () => {
    expectRefused(C, { Name: { zh: 'x' }, FaceUrl: ['u'] }, ['GroupId', 'Name', 'FaceUrl']);
  });
});
