import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { dropSchema, TEST_DATABASE_URL, uniqueSchema } from '@imsync/testing';
import { parseBackfillArgs, readUsersFile, runBackfill } from '../../src/backfill/cli.js';
import { parseInterval } from '../../src/backfill/config.js';
import { ProgressDisplay } from '../../src/backfill/progress.js';
import { StoreModel } from '../model/model.js';
import { jobOf } from '../support/jobs.js';
import { ModelSource } from './model-source.js';

const APP = 1400000001;

class Sink {
  text = '';
  constructor(readonly isTTY = false) {}
  write(s: string) {
    this.text += s;
  }
}

describe('backfill command', function () {
  this.timeout(60_000);
  const schema = uniqueSchema('backfillcli');
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'backfill-'))));
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await dropSchema(schema);
  });

  it('parses --app, --only and --users-file; refuses what is wrong, saying what', () => {
    expect(parseBackfillArgs(['--app', '1400000001'])).to.deep.include({ app: APP, usersFile: null });
    expect(parseBackfillArgs(['--app', '1', '--only', 'groups,members'])).to.deep.include({
      parts: ['groups', 'members'],
    });
    expect(parseBackfillArgs(['--help'])).to.equal('help');
    expect(() => parseBackfillArgs([])).to.throw(/--app is required/);
    expect(() => parseBackfillArgs(['--app', 'x1'])).to.throw(/--app: "x1" is not an SDKAppID/);
    expect(() => parseBackfillArgs(['--app', '1', '--only', 'groups,nope'])).to.throw(/unknown: nope/);
    expect(() => parseBackfillArgs(['--app', '1', '--what'])).to.throw(/--what/);
  });

  it('reads a users file: one id a line, blank lines and # comments skipped; a missing file is a clear error', async () => {
    const file = join(dir, 'users.txt');
    await writeFile(file, 'u1\n\n# seed\n u2 \r\nu1\n');
    expect(await readUsersFile(file)).to.deep.equal(['u1', 'u2']);
    await readUsersFile(join(dir, 'missing.txt')).then(
      () => expect.fail('no error'),
      (err: Error) => expect(err.message).to.match(/--users-file .*missing\.txt/),
    );
  });

  it('RECONCILE_INTERVAL: durations, off, and a clear error', () => {
    expect(parseInterval('6h')).to.equal(6 * 3_600_000);
    expect(parseInterval('30m')).to.equal(1_800_000);
    expect(parseInterval(undefined)).to.equal(null);
    expect(parseInterval('off')).to.equal(null);
    expect(() => parseInterval('6 hours')).to.throw(/RECONCILE_INTERVAL must be a duration/);
    expect(() => parseInterval('10s')).to.throw(/at least 1m/);
  });

  it('runs a backfill into its schema: progress lines off a terminal, the summary at the end; again: nothing changed', async () => {
    const tencent = StoreModel.of([
      jobOf(
        'Group.CallbackAfterCreateGroup',
        {
          GroupId: 'g1',
          Type: 'Public',
          Name: 'one',
          Operator_Account: 'u1',
          Owner_Account: 'u1',
          MemberList: [{ Member_Account: 'u2' }],
          EventTime: Date.UTC(2024, 0, 1),
        },
        { sdkAppId: APP },
      ),
      jobOf(
        'Sns.CallbackFriendAdd',
        { PairList: [{ From_Account: 'u9', To_Account: 'u1' }], EventTime: Date.UTC(2024, 0, 1) },
        { sdkAppId: APP },
      ),
    ]);
    const users = join(dir, 'seed.txt');
    await writeFile(users, 'u9\n');
    const env = { DATABASE_URL: TEST_DATABASE_URL, DB_SCHEMA: schema };
    const run = async () => {
      const out = new Sink();
      const err = new Sink();
      const code = await runBackfill(['--app', String(APP), '--users-file', users], env, {
        createSource: async () => new ModelSource(tencent, APP),
        stdout: out,
        stderr: err,
      });
      return { code, out: out.text, err: err.text };
    };
    const first = await run();
    expect(first.code, first.err).to.equal(0);
    expect(first.out).to.match(/^groups +1\/1 .*done in/m);
    expect(first.out).to.match(/^friends +\d+\/\d+ .*done in/m);
    expect(first.out).to.match(/^ {2}groups +1 +0 +0$/m);
    expect(first.out).to.match(/^ {2}group_members +2 +0 +0$/m);
    expect(first.out).to.match(/^ {2}friendships +1 +0 +0$/m);
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      const f = await client.query(`SELECT from_account, to_account, status FROM "${schema}".friendships`);
      expect(f.rows).to.deep.equal([{ from_account: 'u9', to_account: 'u1', status: 'friend' }]);
    } finally {
      await client.end();
    }
    const second = await run();
    expect(second.code).to.equal(0);
    expect(second.out).to.not.match(/^ {2}\w+ +(?!0 +0 +0$)\d+ +\d+ +\d+$/m);
  });

  it('a bad setting stops it before anything is written, naming the variable (exit 78); bad usage exits 64', async () => {
    const err = new Sink();
    const deps = {
      createSource: async () => {
        throw new Error('not reached');
      },
      stdout: new Sink(),
      stderr: err,
    };
    expect(await runBackfill(['--app', '1'], { RECONCILE_CLOCK_MARGIN_MS: 'soon' }, deps)).to.equal(78);
    expect(err.text).to.match(/RECONCILE_CLOCK_MARGIN_MS/);
    expect(await runBackfill(['--only', 'groups'], {}, deps)).to.equal(64);
  });

  it('credentials Tencent refuses: a configuration error naming the setting (exit 78), not an outage to resume', async () => {
    const err = new Sink();
    const refused = Object.assign(
      new Error(
        'get_appid_group_list: IM_SECRET_KEY: the secret key of SDKAppID 1400000001 was rejected by Tencent',
      ),
      { errorClass: 'auth' },
    );
    const source = new ModelSource(StoreModel.of([]), APP);
    source.groupIdPage = () => Promise.reject(refused);
    const env = { DATABASE_URL: TEST_DATABASE_URL, DB_SCHEMA: schema };
    const code = await runBackfill(['--app', String(APP)], env, {
      createSource: async () => source,
      stdout: new Sink(),
      stderr: err,
    });
    expect(code).to.equal(78);
    expect(err.text).to.include('configuration error').and.include('IM_SECRET_KEY');
    expect(err.text).to.not.include('run the same command');
    // any other failure stops with the checkpoint kept (exit 1)
    source.groupIdPage = () => Promise.reject(new Error('Tencent is unreachable'));
    const again = await runBackfill(['--app', String(APP)], env, {
      createSource: async () => source,
      stdout: new Sink(),
      stderr: err,
    });
    expect(again).to.equal(1);
  });

  it('on a terminal the progress line is redrawn in place, with rate and ETA', () => {
    const out = new Sink(true);
    let t = 0;
    const p = new ProgressDisplay(out, true, () => t);
    p.update({ part: 'members', done: 0, total: 100, finished: false });
    t = 10_000;
    p.update({ part: 'members', done: 50, total: 100, finished: false });
    expect(out.text).to.contain('\r\u001b[2Kmembers    50/100  5.0/s  ETA 10s');
  });
});
