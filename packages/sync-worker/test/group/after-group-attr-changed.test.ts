import { expect } from 'chai';
import { applyAll, applyJob, sampleJob } from '../support/jobs.js';
import { SAMPLE_APP, SAMPLE_TIME as T, useStore } from '../support/fixture.js';
import { oneRow } from '../support/read.js';

const C = 'Group.CallbackAfterGroupAttrChanged';
const G = '@TGS#2J4SZEAEL';
const attr = (op: string, t: number, kv: Record<string, string> = {}) =>
  sampleJob(C, {
    OptionType: op,
    EventTime: t,
    GroupAttr: Object.entries(kv).map(([key, value]) => ({ key, value })),
  });

describe(C, () => {
  const store = useStore('group_attr_changed');
  const db = () => store().db;
  const attributes = async () => (await oneRow(db(), 'groups', { group_id: G })).attributes;

  it('applies the documented sample (set, lower-case key/value): the attributes are exactly those', async () => {
    expect(await applyJob(db(), sampleJob(C))).to.deep.equal({ applied: true });
    expect(await oneRow(db(), 'groups', { group_id: G })).to.deep.include({
      sdk_app_id: SAMPLE_APP,
      type: 'Public',
      attributes: { key1: 'value1', key2: 'values' },
    });
  });

  it('modify upserts keys, delete removes keys, set replaces all, clear removes all', async () => {
    await applyJob(db(), attr('modify', T + 1, { a: '1', b: '2' }));
    expect(await attributes()).to.deep.equal({ a: '1', b: '2' });
    await applyJob(db(), attr('modify', T + 2, { b: '3', c: '4' }));
    expect(await attributes()).to.deep.equal({ a: '1', b: '3', c: '4' });
    await applyJob(db(), attr('delete', T + 3, { a: '' }));
    expect(await attributes()).to.deep.equal({ b: '3', c: '4' });
    await applyJob(db(), attr('set', T + 4, { d: '5' }));
    expect(await attributes()).to.deep.equal({ d: '5' });
    await applyJob(db(), attr('clear', T + 5));
    expect(await attributes()).to.deep.equal({});
    await applyJob(db(), attr('modify', T + 6, { e: '6' }));
    expect(await attributes()).to.deep.equal({ e: '6' });
  });

  it('in reverse order, the same attributes', async () => {
    await applyAll(db(), [
      attr('modify', T + 6, { e: '6' }),
      attr('clear', T + 5),
      attr('set', T + 4, { d: '5' }),
      attr('delete', T + 3, { a: '' }),
      attr('modify', T + 2, { b: '3', c: '4' }),
      attr('modify', T + 1, { a: '1', b: '2' }),
    ]);
    expect(await attributes()).to.deep.equal({ e: '6' });
  });

  it('a late delete does not remove a later value; a late modify of a key a later set dropped stays hidden', async () => {
    await applyAll(db(), [
      attr('set', T + 10, { a: 'x' }),
      attr('modify', T + 20, { b: 'y' }),
      attr('delete', T + 5, { a: '', b: '' }),
      attr('modify', T + 8, { c: 'old' }),
    ]);
    expect(await attributes()).to.deep.equal({ a: 'x', b: 'y' });
  });

  it('a creation of the group hides older attributes', async () => {
    await applyAll(db(), [
      attr('modify', T + 1, { a: 'x' }),
      sampleJob('Group.CallbackAfterCreateGroup', { EventTime: T + 2 }),
    ]);
    expect(await attributes()).to.deep.equal({});
  });
});
