import { expect } from 'chai';
import { Backoffs } from 'bullmq';
import {
  CATALOG,
  isBeforeCallback,
  jobOptionsFor,
  lookupCommand,
  SYNC_JOB_OPTIONS,
  SYNC_QUEUE,
  UNROUTED_JOB_OPTIONS,
  UNROUTED_QUEUE,
  unroutedJobOptionsFor,
  type CallbackCategory,
  type CallbackKind,
} from '../src/catalog.js';
import { isSyncedCommand, SYNCED_COMMANDS, SYNCED_SCHEMAS } from '../src/synced.js';

/**
 * Tencent IM's callback command list, row by row (category, command, B/A), then the robot, official-account
 * and push callbacks it documents beside that list.
 */
const DOCUMENTED: readonly [CallbackCategory, string, 'B' | 'A'][] = [
  ['Operations', 'Alert.RequestOverLimit', 'A'],
  ['Online status', 'State.StateChange', 'A'],
  ['Profile & relations', 'Profile.CallbackPortraitSet', 'A'],
  ['Profile & relations', 'Sns.CallbackPrevFriendAdd', 'B'],
  ['Profile & relations', 'Sns.CallbackPrevFriendResponse', 'B'],
  ['Profile & relations', 'Sns.CallbackFriendAdd', 'A'],
  ['Profile & relations', 'Sns.CallbackFriendDelete', 'A'],
  ['Profile & relations', 'Sns.CallbackBlackListAdd', 'A'],
  ['Profile & relations', 'Sns.CallbackBlackListDelete', 'A'],
  ['Follow', 'Follow.CallbackAfterFollowAdd', 'A'],
  ['Follow', 'Follow.CallbackAfterFollowDelete', 'A'],
  ['One-to-one', 'C2C.CallbackBeforeSendMsg', 'B'],
  ['One-to-one', 'C2C.CallbackAfterSendMsg', 'A'],
  ['One-to-one', 'C2C.CallbackAfterMsgReport', 'A'],
  ['One-to-one', 'C2C.CallbackAfterMsgWithDraw', 'A'],
  ['One-to-one', 'C2C.CallbackAfterC2CMsgExtension', 'A'],
  ['Groups', 'Group.CallbackBeforeCreateGroup', 'B'],
  ['Groups', 'Group.CallbackAfterCreateGroup', 'A'],
  ['Groups', 'Group.CallbackBeforeApplyJoinGroup', 'B'],
  ['Groups', 'Group.CallbackBeforeInviteJoinGroup', 'B'],
  ['Groups', 'Group.CallbackAfterNewMemberJoin', 'A'],
  ['Groups', 'Group.CallbackAfterMemberExit', 'A'],
  ['Groups', 'Group.CallbackBeforeSendMsg', 'B'],
  ['Groups', 'Group.CallbackAfterSendMsg', 'A'],
  ['Groups', 'Group.CallbackAfterGroupFull', 'A'],
  ['Groups', 'Group.CallbackAfterGroupDestroyed', 'A'],
  ['Groups', 'Group.CallbackAfterGroupInfoChanged', 'A'],
  ['Groups', 'Group.CallbackOnMemberStateChange', 'A'],
  ['Groups', 'Group.CallbackSendMsgException', 'A'],
  ['Groups', 'Group.CallbackBeforeCreateTopic', 'B'],
  ['Groups', 'Group.CallbackAfterCreateTopic', 'A'],
  ['Groups', 'Group.CallbackAfterTopicDestroyed', 'A'],
  ['Groups', 'Group.CallbackAfterTopicInfoChanged', 'A'],
  ['Groups', 'Group.CallbackAfterMemberFieldChanged', 'A'],
  ['Groups', 'Group.CallbackAfterGroupAttrChanged', 'A'],
  ['Groups', 'Group.CallbackAfterReadReceipt', 'A'],
  ['Groups', 'Group.CallbackAfterChangeGroupOwner', 'A'],
  ['Groups', 'Group.CallbackOnDailyGroupQuotaAlarm', 'A'],
  ['Groups', 'Group.CallbackAfterGroupMsgExtension', 'A'],
  ['Moderation', 'ContentCallback.ResultNotify', 'A'],
  // beside the table
  ['Groups', 'Group.CallbackAfterRecallMsg', 'A'],
  ['Robots', 'Bot.OnC2CMessage', 'A'],
  ['Robots', 'Bot.OnGroupMessage', 'A'],
  ['Robots', 'Chatbot.OnC2CSignalMessage', 'A'],
  ['Official accounts', 'OfficialAccount.CallbackBeforeCreateOfficialAccount', 'B'],
  ['Official accounts', 'OfficialAccount.CallbackAfterCreateOfficialAccount', 'A'],
  ['Official accounts', 'OfficialAccount.CallbackAfterOfficialAccountInfoChanged', 'A'],
  ['Official accounts', 'OfficialAccount.CallbackAfterOfficialAccountDestroyed', 'A'],
  ['Official accounts', 'OfficialAccount.CallbackBeforeAddSubscriber', 'B'],
  ['Official accounts', 'OfficialAccount.CallbackAfterAddSubscriber', 'A'],
  ['Official accounts', 'OfficialAccount.CallbackAfterOfficialAccountFull', 'A'],
  ['Official accounts', 'OfficialAccount.CallbackAfterDeleteSubscriber', 'A'],
  ['Official accounts', 'OfficialAccount.CallbackBeforeSendMsg', 'B'],
  ['Official accounts', 'OfficialAccount.CallbackAfterSendMsg', 'A'],
  ['Official accounts', 'OfficialAccount.CallbackAfterMsgWithDraw', 'A'],
  ['Push results', 'Push.OfflinePush', 'A'],
  ['Push results', 'Push.AllMemberPush', 'A'],
];

/** The commands imsync applies, as docs/stores.md lists them ("What each callback does"). */
const APPLIED_COMMANDS = [
  'State.StateChange',
  'Profile.CallbackPortraitSet',
  'Sns.CallbackFriendAdd',
  'Sns.CallbackFriendDelete',
  'Sns.CallbackBlackListAdd',
  'Sns.CallbackBlackListDelete',
  'Group.CallbackAfterCreateGroup',
  'Group.CallbackAfterNewMemberJoin',
  'Group.CallbackAfterMemberExit',
  'Group.CallbackAfterGroupDestroyed',
  'Group.CallbackAfterGroupInfoChanged',
  'Group.CallbackAfterChangeGroupOwner',
  'Group.CallbackAfterMemberFieldChanged',
  'Group.CallbackAfterGroupAttrChanged',
  'Group.CallbackAfterGroupFull',
  'Group.CallbackOnMemberStateChange',
  'Group.CallbackAfterSendMsg',
  'Group.CallbackAfterCreateTopic',
  'Group.CallbackAfterTopicDestroyed',
  'Group.CallbackAfterTopicInfoChanged',
];

const KIND: Record<'B' | 'A', CallbackKind> = { B: 'before', A: 'after' };

describe('catalog', () => {
  it("has the commands of Tencent IM's callback list plus recall, robots, official accounts and push, and nothing else", () => {
    expect(
      DOCUMENTED.filter(([, c]) => !c.startsWith('OfficialAccount.') && !/^(Bot|Chatbot|Push)\./.test(c)),
    ).to.have.length(41);
    expect([...CATALOG.keys()].sort()).to.deep.equal(DOCUMENTED.map(([, c]) => c).sort());
  });

  for (const [category, command, kind] of DOCUMENTED) {
    it(`${command}: ${KIND[kind]}, ${category}`, () => {
      const entry = lookupCommand(command);
      expect(entry, command).not.to.equal(undefined);
      expect(entry).to.deep.include({ command, category, kind: KIND[kind] });
      expect(isBeforeCallback(command)).to.equal(kind === 'B');
    });
  }

  it('syncs exactly the 20 commands of docs/stores.md, each an after-callback with its schema', () => {
    expect(SYNCED_COMMANDS).to.have.members(APPLIED_COMMANDS).and.have.length(20);
    expect([...CATALOG.values()].filter((e) => e.synced).map((e) => e.command)).to.have.members(
      APPLIED_COMMANDS,
    );
    for (const command of APPLIED_COMMANDS) {
      const entry = lookupCommand(command)!;
      expect(entry.kind, command).to.equal('after');
      expect(isSyncedCommand(command)).to.equal(true);
      expect(entry.schema).to.equal(SYNCED_SCHEMAS[command as keyof typeof SYNCED_SCHEMAS]);
    }
  });

  it('has no schema for a command it does not sync', () => {
    for (const entry of CATALOG.values())
      if (!entry.synced) expect(entry.schema, entry.command).to.equal(null);
    expect(isSyncedCommand('Group.CallbackAfterRecallMsg')).to.equal(false);
    expect(isSyncedCommand('toString')).to.equal(false);
  });

  it('knows nothing of an undocumented command', () => {
    expect(lookupCommand('Group.CallbackAfterKickMember')).to.equal(undefined);
    expect(lookupCommand('group.callbackaftercreategroup')).to.equal(undefined);
    expect(isBeforeCallback('Nope.Nothing')).to.equal(false);
  });

  describe('job options', () => {
    it('gives every synced command the sync options: attempts, exponential backoff with jitter, retention by age and count', () => {
      for (const command of SYNCED_COMMANDS) {
        expect(jobOptionsFor(command)).to.equal(SYNC_JOB_OPTIONS);
        expect(lookupCommand(command)!.jobOptions).to.equal(SYNC_JOB_OPTIONS);
      }
      expect(SYNC_JOB_OPTIONS.attempts).to.be.greaterThan(1);
      expect(SYNC_JOB_OPTIONS.backoff).to.deep.include({ type: 'exponential' });
      const backoff = SYNC_JOB_OPTIONS.backoff as { delay: number; jitter: number };
      expect(backoff.delay).to.be.greaterThan(0);
      expect(backoff.jitter).to.be.greaterThan(0).and.at.most(1);
      for (const keep of [SYNC_JOB_OPTIONS.removeOnComplete, SYNC_JOB_OPTIONS.removeOnFail]) {
        expect(keep).to.have.property('age').that.is.greaterThan(0);
        expect(keep).to.have.property('count').that.is.greaterThan(0);
      }
    });

    it('makes BullMQ wait exponentially longer, with jitter, between attempts', () => {
      const backoff = SYNC_JOB_OPTIONS.backoff as { type: string; delay: number; jitter: number };
      for (const attempt of [1, 3, 5]) {
        const max = backoff.delay * 2 ** (attempt - 1);
        const delays = Array.from(
          { length: 200 },
          () => Backoffs.calculate(backoff, attempt, new Error('x'), undefined as never) as number,
        );
        for (const d of delays)
          expect(d)
            .to.be.at.least(max * (1 - backoff.jitter))
            .and.at.most(max);
        expect(new Set(delays).size, 'jittered').to.be.greaterThan(10);
      }
    });

    it('keeps unrouted jobs bounded by age and count; before-callbacks have no job at all', () => {
      for (const entry of CATALOG.values()) {
        if (entry.kind === 'before') expect(entry.jobOptions, entry.command).to.equal(null);
        else if (!entry.synced) expect(entry.jobOptions, entry.command).to.equal(UNROUTED_JOB_OPTIONS);
      }
      expect(unroutedJobOptionsFor('Group.CallbackAfterRecallMsg')).to.equal(UNROUTED_JOB_OPTIONS);
      expect(unroutedJobOptionsFor('Nope.Nothing')).to.equal(UNROUTED_JOB_OPTIONS);
      for (const keep of [UNROUTED_JOB_OPTIONS.removeOnComplete, UNROUTED_JOB_OPTIONS.removeOnFail]) {
        expect(keep).to.have.property('age').that.is.greaterThan(0);
        expect(keep).to.have.property('count').that.is.greaterThan(0);
      }
    });

    it('is frozen: a call site cannot change the defaults', () => {
      expect(Object.isFrozen(SYNC_JOB_OPTIONS)).to.equal(true);
      expect(Object.isFrozen(SYNC_JOB_OPTIONS.backoff)).to.equal(true);
      expect(Object.isFrozen(lookupCommand('State.StateChange'))).to.equal(true);
    });

    it('names the two queues', () => {
      expect([SYNC_QUEUE, UNROUTED_QUEUE]).to.deep.equal(['sync', 'unrouted']);
    });
  });
});
