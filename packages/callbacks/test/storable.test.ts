import { expect } from 'chai';
import { eventKeyOf, InvalidCallbackError, parseSyncJob, validateUnroutedBody } from '../src/job.js';
import { MAX_BODY_DEPTH, unstorableReason } from '../src/storable.js';
import { SYNCED_COMMANDS } from '../src/synced.js';
import { expectRefused, parse, refusal, sampleBody, variant } from './support.js';

/** `depth` levels of objects and arrays in all, counting the one returned: `{"a":[{"a":[…]}]}`. */
function nested(depth: number, bottom: unknown = 'x'): unknown {
  let v: unknown = bottom;
  for (let i = 0; i < depth; i++) v = i % 2 ? { a: v } : [v];
  return v;
}

/** The errors a job carrying `body` gets from the worker's validation (parseSyncJob). */
function workerRefusal(command: string, body: unknown): readonly string[] {
  try {
    parseSyncJob({
      v: 1,
      sdkAppId: 888888,
      command,
      clientIp: null,
      optPlatform: null,
      receivedAt: 1,
      eventKey: eventKeyOf(888888, command, 'x'),
      body,
    });
  } catch (err) {
    if (err instanceof InvalidCallbackError) return err.errors;
    throw err;
  }
  return expect.fail('the worker accepted the job');
}

describe('storable bodies: what no store could hold is refused before any schema, naming the field', () => {
  for (const command of SYNCED_COMMANDS) {
    describe(command, () => {
      it('refuses a lone UTF-16 surrogate in a value or a key, and keeps a surrogate pair', () => {
        expectRefused(command, variant(command, { Future: 'a\ud800' }), ['Future']);
        expectRefused(command, variant(command, { Future: ['ok', '\udc00b'] }), ['Future[1]']);
        expectRefused(command, variant(command, { Future: { ['k\udbff']: 1 } }), ['Future.k\udbff']);
        // as Tencent would send it: a JSON escape, which JSON.parse turns into a lone surrogate
        expect(refusal(command, JSON.parse(`{"Future":"\\ud83d"}`))[0]).to.match(
          /^Future must not contain a lone/,
        );
        const e = parse(command, variant(command, { Future: '\ud83d\ude00' })) as Record<string, unknown>;
        expect(e.Future).to.equal('😀');
      });

      it('refuses a number JSON.parse could only make infinite (1e400), wherever it is', () => {
        const body = JSON.parse(`{"Future":{"n":[1, -1e400]}}`) as Record<string, unknown>;
        expect(body.Future).to.deep.equal({ n: [1, -Infinity] });
        expectRefused(command, { ...sampleBody(command), ...body }, ['Future.n[1]']);
        expect(refusal(command, variant(command, { Future: Infinity }))[0]).to.equal(
          'Future must be a finite number: a JSON number beyond ±1.8e308 (such as 1e400) cannot be stored',
        );
      });

      it(`accepts ${MAX_BODY_DEPTH} levels of nesting and refuses ${MAX_BODY_DEPTH + 1}, without recursion even at 100,000`, () => {
        // the body is level 1, its field level 2
        parse(command, variant(command, { Future: nested(MAX_BODY_DEPTH - 1) }));
        const errors = refusal(command, variant(command, { Future: nested(MAX_BODY_DEPTH) }));
        expect(errors).to.have.length(1);
        expect(errors[0]).to.match(
          /^Future\.a\[0\]\.a\[0\].* is nested deeper than 32 levels of objects and arrays$/,
        );
        expect(refusal(command, variant(command, { Future: nested(100_000) }))).to.have.length(1);
      });

      it('refuses {"toString":1} (and other built-in names as keys) as that field, not as a TypeError', () => {
        for (const key of ['toString', 'valueOf', 'constructor', 'hasOwnProperty', '__proto__']) {
          const body = JSON.parse(`{"Future":{"${key}":1}}`) as Record<string, unknown>;
          expectRefused(command, { ...sampleBody(command), ...body }, [`Future.${key}`]);
        }
        // in the place of every field the schema casts
        for (const field of Object.keys(sampleBody(command))) {
          const errors = refusal(command, variant(command, { [field]: { toString: 1 } }));
          expect(errors, field).to.deep.equal([
            `${field}.toString is a key imsync refuses: it names a built-in property of JavaScript objects (toString, constructor …)`,
          ]);
        }
      });

      it('the worker refuses the same bodies (it validates through the same contract)', () => {
        for (const bad of [
          variant(command, { Future: 'a\ud800' }),
          variant(command, { Future: Infinity }),
          variant(command, { Future: nested(1000) }),
          variant(command, { Future: { toString: 1 } }),
        ])
          expect(workerRefusal(command, bad)).to.deep.equal(refusal(command, bad));
      });
    });
  }

  it('an answer never echoes a huge key whole', () => {
    const key = `${'k'.repeat(10_000)}\u0000`;
    const [error] = refusal('State.StateChange', variant('State.StateChange', { [key]: 1 }));
    expect(error!.length).to.be.below(200);
    expect(error).to.match(/^k{64}… must not contain a NUL/);
  });
});

describe('ID limits: longer than any Tencent ID, short enough for every PostgreSQL index', () => {
  const long = (n: number) => 'x'.repeat(n);

  it('user IDs (*_Account): 128 characters pass, 129 are refused, required or optional', () => {
    parse('Sns.CallbackFriendAdd', {
      PairList: [{ From_Account: long(128), To_Account: 'b', Initiator_Account: long(128) }],
    });
    expectRefused(
      'Sns.CallbackFriendAdd',
      { PairList: [{ From_Account: long(129), To_Account: 'b', Initiator_Account: long(129) }] },
      ['PairList[0].From_Account', 'PairList[0].Initiator_Account'],
    );
    expect(
      refusal(
        'State.StateChange',
        variant('State.StateChange', { Info: { Action: 'Login', To_Account: long(5000) } }),
      ),
    ).to.deep.equal(['Info.To_Account must be at most 128 characters: no Tencent user ID is longer']);
    for (const [command, field] of [
      ['Group.CallbackAfterCreateGroup', 'Operator_Account'],
      ['Group.CallbackAfterCreateGroup', 'Owner_Account'],
      ['Group.CallbackAfterNewMemberJoin', 'Operator_Account'],
      ['Group.CallbackAfterChangeGroupOwner', 'NewOwner_Account'],
      ['Profile.CallbackPortraitSet', 'From_Account'],
      ['Profile.CallbackPortraitSet', 'Operator_Account'],
      ['Group.CallbackAfterSendMsg', 'From_Account'],
      ['Group.CallbackAfterCreateTopic', 'Owner_Account'],
    ] as const) {
      expectRefused(command, variant(command, { [field]: long(129) }), [field]);
      parse(command, variant(command, { [field]: long(128) }));
    }
    expectRefused(
      'Group.CallbackAfterNewMemberJoin',
      variant('Group.CallbackAfterNewMemberJoin', { NewMemberList: [{ Member_Account: long(129) }] }),
      ['NewMemberList[0].Member_Account'],
    );
  });

  it('group IDs: 128 characters pass, 129 are refused (the alias groupID too)', () => {
    for (const command of SYNCED_COMMANDS) {
      if (!('GroupId' in sampleBody(command))) continue;
      parse(command, variant(command, { GroupId: long(128) }));
      expectRefused(command, variant(command, { GroupId: long(129) }), ['GroupId']);
      expectRefused(command, variant(command, { GroupId: undefined, groupID: long(3000) }), ['GroupId']);
    }
  });

  it('topic IDs (TopicId, TopicIdList): 256 characters pass, 257 are refused', () => {
    for (const command of [
      'Group.CallbackAfterCreateTopic',
      'Group.CallbackAfterTopicInfoChanged',
      'Group.CallbackAfterGroupFull',
      'Group.CallbackAfterSendMsg',
    ] as const) {
      parse(command, variant(command, { TopicId: long(256) }));
      expectRefused(command, variant(command, { TopicId: long(257) }), ['TopicId']);
    }
    const destroyed = 'Group.CallbackAfterTopicDestroyed';
    parse(destroyed, variant(destroyed, { TopicIdList: [long(256)] }));
    expectRefused(destroyed, variant(destroyed, { TopicIdList: ['t', long(257)] }), ['TopicIdList[1]']);
  });
});

describe('unrouted bodies (kept on the queue as sent): nesting and finite numbers only', () => {
  const refusedUnrouted = (body: unknown): string => {
    try {
      validateUnroutedBody(body);
    } catch (err) {
      if (err instanceof InvalidCallbackError) return err.errors.join('; ');
      throw err;
    }
    return expect.fail('accepted');
  };

  it('refuses nesting deeper than the limit and infinite numbers, naming where', () => {
    expect(refusedUnrouted({ Msg: nested(MAX_BODY_DEPTH) })).to.match(/^Msg\.a\[0\]\..* is nested deeper/);
    expect(refusedUnrouted(nested(50_000))).to.match(/is nested deeper/);
    expect(refusedUnrouted(JSON.parse('[{"Random":1e400}]'))).to.match(
      /^\[0\]\.Random must be a finite number/,
    );
    expect(refusedUnrouted(-Infinity)).to.match(/^body must be a finite number/);
  });

  it('keeps what Redis and the dashboard hold as sent: NUL, lone surrogates, built-in keys, long IDs', () => {
    for (const body of [
      { Text: 'a\u0000b' },
      { Text: '\ud800' },
      { toString: 1, constructor: { valueOf: 2 } },
      { From_Account: 'x'.repeat(10_000) },
      nested(MAX_BODY_DEPTH - 1),
      'a string',
      [1, 2.5, -0],
    ])
      expect(() => validateUnroutedBody(body), JSON.stringify(body)).not.to.throw();
  });

  it('the reason is null for what may be kept', () => {
    expect(unstorableReason({ a: [1, 'b', null, true] }, 'stores')).to.equal(null);
    expect(unstorableReason(null, 'stores')).to.equal(null);
  });
});
