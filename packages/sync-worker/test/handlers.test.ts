import { expect } from 'chai';
import { SYNCED_COMMANDS } from '@imsync/callbacks';
import { assertEveryCommandHandled, HANDLERS } from '../src/handlers/index.js';

describe('handlers', () => {
  it('every synced command of the catalog has a handler, and nothing else does', () => {
    expect(Object.keys(HANDLERS).sort()).to.deep.equal([...SYNCED_COMMANDS].sort());
    expect(() => assertEveryCommandHandled()).not.to.throw();
  });

  it('the start-up check names every synced command without a handler', () => {
    const { 'State.StateChange': _s, 'Sns.CallbackFriendAdd': _f, ...partial } = HANDLERS;
    expect(() => assertEveryCommandHandled(partial)).to.throw(
      'no handler for synced command(s): State.StateChange, Sns.CallbackFriendAdd',
    );
    expect(() =>
      assertEveryCommandHandled(HANDLERS, [...SYNCED_COMMANDS, 'Group.CallbackFutureThing']),
    ).to.throw(/Group\.CallbackFutureThing/);
  });
});
