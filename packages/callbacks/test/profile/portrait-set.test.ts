import { expect } from 'chai';
import { expectRefused, itToleratesTheDocumentedDrift, parse, sampleBody, variant } from '../support.js';

describe('Profile.CallbackPortraitSet', () => {
  const C = 'Profile.CallbackPortraitSet';

  it('accepts the documented sample', () => {
    const e = parse(C, sampleBody(C));
    expect(e.From_Account).to.equal('id1');
    expect(e.Operator_Account).to.equal('id1');
    expect(e.EventTime).to.equal(1656921052497);
    expect(e.ProfileItem.map((i) => i.Tag)).to.deep.equal([
      'Tag_Profile_IM_Nick',
      'Tag_Profile_IM_Gender',
      'Tag_Profile_IM_AllowType',
      'Tag_Profile_Custom_Data',
    ]);
    expect(e.ProfileItem[0]!.Value).to.equal('nick1');
  });

  itToleratesTheDocumentedDrift(C);

  it('keeps a uint32 value as a number and a string as a string (only changed tags are sent)', () => {
    const e = parse(
      C,
      variant(C, {
        Operator_Account: 'admin',
        ProfileItem: [
          { Tag: 'Tag_Profile_IM_Level', Value: 7 },
          { Tag: 'Tag_Profile_IM_SelfSignature', Value: '' },
        ],
      }),
    );
    expect(e.ProfileItem).to.deep.equal([
      { Tag: 'Tag_Profile_IM_Level', Value: 7 },
      { Tag: 'Tag_Profile_IM_SelfSignature', Value: '' },
    ]);
    expect(e.Operator_Account).to.equal('admin');
  });

  it('lists every failing field', () => {
    expectRefused(C, { ProfileItem: [{ Value: {} }, { Tag: 'Tag_Profile_IM_Nick' }] }, [
      'From_Account',
      'ProfileItem[0].Tag',
      'ProfileItem[0].Value',
      'ProfileItem[1].Value',
    ]);
    expectRefused(C, { From_Account: 'id1' }, ['ProfileItem']);
  });
});
