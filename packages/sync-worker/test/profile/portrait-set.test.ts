import { expect } from 'chai';
import { applyAll, applyJob, sampleJob } from '../support/jobs.js';
import { SAMPLE_APP, useStore } from '../support/fixture.js';
import { oneRow } from '../support/read.js';

const C = 'Profile.CallbackPortraitSet';
const T = 1656921052497;
const items = (t: number, tags: Record<string, string | number>) =>
  sampleJob(C, { EventTime: t, ProfileItem: Object.entries(tags).map(([Tag, Value]) => ({ Tag, Value })) });

describe(C, () => {
  const store = useStore('portrait_set');
  const db = () => store().db;
  const profile = async () => (await oneRow(db(), 'users', { user_id: 'id1' })).profile;

  it('applies the documented sample: each changed tag', async () => {
    expect(await applyJob(db(), sampleJob(C))).to.deep.equal({ applied: true });
    expect(await oneRow(db(), 'users', { user_id: 'id1' })).to.deep.equal({
      sdk_app_id: SAMPLE_APP,
      user_id: 'id1',
      online_status: null,
      last_action: null,
      last_reason: null,
      last_platform: null,
      last_client_ip: null,
      state_changed_at: null,
      profile: {
        Tag_Profile_IM_Nick: 'nick1',
        Tag_Profile_IM_Gender: 'Gender_Type_Male',
        Tag_Profile_IM_AllowType: 'AllowType_Type_NeedConfirm',
        Tag_Profile_Custom_Data: 'your custom data',
      },
    });
  });

  it('per tag, the latest event wins whatever the order; other tags stay; numbers stay numbers', async () => {
    await applyAll(db(), [
      items(T + 10, { Tag_Profile_IM_Nick: 'late', Tag_Profile_IM_Level: 3 }),
      items(T + 5, { Tag_Profile_IM_Nick: 'early', Tag_Profile_IM_Gender: 'Gender_Type_Female' }),
    ]);
    expect(await profile()).to.deep.equal({
      Tag_Profile_IM_Nick: 'late',
      Tag_Profile_IM_Level: 3,
      Tag_Profile_IM_Gender: 'Gender_Type_Female',
    });
  });

  it('a profile and a state of one user share the row', async () => {
    await applyAll(db(), [
      items(T, { Tag_Profile_IM_Nick: 'n' }),
      sampleJob('State.StateChange', { Info: { Action: 'Login', To_Account: 'id1' } }),
    ]);
    expect(await oneRow(db(), 'users', { user_id: 'id1' })).to.deep.include({
      online_status: 'Online',
      profile: { Tag_Profile_IM_Nick: 'n' },
    });
  });
});
