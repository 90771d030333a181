import { expect } from 'chai';
import { applyAll, applyJob, RECEIVED_AT, sampleJob } from '../support/jobs.js';
import { SAMPLE_APP, useStore } from '../support/fixture.js';
import { oneRow } from '../support/read.js';

const C = 'State.StateChange';
const U = 'testuser316';
const T = 1629883332497;
const state = (action: string, reason: string | undefined, t: number, env = {}) =>
  sampleJob(
    C,
    {
      Info: { Action: action, To_Account: U, ...(reason ? { Reason: reason } : {}) },
      KickedDevice: undefined,
      EventTime: t,
    },
    env,
  );

describe(C, () => {
  const store = useStore('state_change');
  const db = () => store().db;

  it('applies the documented sample: Login → Online, with reason, platform (IOS → iOS) and client IP', async () => {
    expect(await applyJob(db(), sampleJob(C))).to.deep.equal({ applied: true });
    expect(await oneRow(db(), 'users', { user_id: U })).to.deep.equal({
      sdk_app_id: SAMPLE_APP,
      user_id: U,
      online_status: 'Online',
      last_action: 'Login',
      last_reason: 'Register',
      last_platform: 'iOS',
      last_client_ip: '127.0.0.1',
      state_changed_at: T,
      profile: {},
    });
  });

  it('Logout and Disconnect → Offline', async () => {
    await applyJob(db(), state('Logout', 'Unregister', T + 1));
    expect(await oneRow(db(), 'users', { user_id: U })).to.include({
      online_status: 'Offline',
      last_action: 'Logout',
      last_reason: 'Unregister',
    });
    await applyJob(db(), state('Disconnect', 'TimeOut', T + 2, { clientIp: null, optPlatform: null }));
    expect(await oneRow(db(), 'users', { user_id: U })).to.include({
      online_status: 'Offline',
      last_action: 'Disconnect',
      last_reason: 'TimeOut',
      last_platform: null,
      last_client_ip: null,
      state_changed_at: T + 2,
    });
  });

  it('an Action that is no login state change (a custom status) changes nothing and says why', async () => {
    await applyJob(db(), state('Login', 'Register', T));
    expect(await applyJob(db(), state('SetCustomStatus', undefined, T + 1))).to.deep.equal({
      skipped: 'Action SetCustomStatus is not a login state change (Login, Logout, Disconnect)',
    });
    expect(await oneRow(db(), 'users', { user_id: U })).to.include({
      online_status: 'Online',
      last_action: 'Login',
      state_changed_at: T,
    });
  });

  it('a Disconnect arriving minutes late does not undo a later Login', async () => {
    await applyAll(db(), [
      state('Login', 'Register', T + 400_000, { optPlatform: 'Web' }),
      state('Disconnect', 'LinkClose', T + 1000, { optPlatform: 'Android' }),
    ]);
    expect(await oneRow(db(), 'users', { user_id: U })).to.include({
      online_status: 'Online',
      last_platform: 'Web',
      state_changed_at: T + 400_000,
    });
  });

  it('without EventTime, the time ingest received it; without Reason, null', async () => {
    await applyJob(db(), sampleJob(C, { EventTime: undefined, Info: { Action: 'Logout', To_Account: U } }));
    expect(await oneRow(db(), 'users', { user_id: U })).to.include({
      state_changed_at: RECEIVED_AT,
      last_reason: null,
    });
  });
});
