import { expect } from 'chai';
import type { StatementBuffer } from '../src/db.js';
import { upsertLww, type LwwUpsert, type Register } from '../src/stores/lww.js';

/** The statements a handler would send, without PostgreSQL. */
function capture(): StatementBuffer & { sent: { sql: string; params: readonly unknown[] }[] } {
  const sent: { sql: string; params: readonly unknown[] }[] = [];
  return { sent, add: async (sql, params = []) => void sent.push({ sql, params }) };
}

const NAME: Register = { version: 'name_v', columns: ['name'] };
const OWNER: Register = { version: 'owner_v', columns: ['owner_account'] };
const row = (id: string, extra: Record<string, unknown> = {}) => ({
  sdk_app_id: 1,
  group_id: id,
  name: `n-${id}`,
  name_v: 5n,
  owner_account: 'o',
  owner_v: 6n,
  ...extra,
});
const base: LwwUpsert = {
  table: 'groups',
  key: ['sdk_app_id', 'group_id'],
  registers: [NAME],
  rows: [row('g')],
};

describe('upsertLww: one statement text per shape', () => {
  it('gives every shape its own text, and the same shape the same text', async () => {
    const shapes: LwwUpsert[] = [
      base,
      { ...base, registers: [NAME, OWNER] },
      { ...base, registers: [OWNER, NAME] },
      { ...base, rows: [row('a'), row('b')] },
      { ...base, merges: { attr_entries: 'lww_merge' }, rows: [row('g', { attr_entries: {} })] },
      { ...base, merges: { attr_entries: 'last_msgs_merge' }, rows: [row('g', { attr_entries: {} })] },
      { ...base, maxima: ['attr_reset_v'], rows: [row('g', { attr_reset_v: 1n })] },
      { ...base, minima: ['attr_reset_v'], rows: [row('g', { attr_reset_v: 1n })] },
      { ...base, table: 'topics' },
      { ...base, key: ['sdk_app_id', 'name'] },
    ];
    const buffer = capture();
    for (const u of [...shapes, ...shapes]) await upsertLww(buffer, u);
    const texts = buffer.sent.map((s) => s.sql);
    expect(new Set(texts.slice(0, shapes.length)).size, 'distinct shapes, distinct texts').to.equal(
      shapes.length,
    );
    expect(texts.slice(shapes.length), 'the same shapes again').to.deep.equal(texts.slice(0, shapes.length));
    // a register built anew (not the module's constant) with the same columns is the same shape
    await upsertLww(buffer, { ...base, registers: [{ version: 'name_v', columns: ['name'] }] });
    expect(buffer.sent.at(-1)!.sql).to.equal(texts[0]);
  });

  it('sends rows in key order whatever order they come in, with versions as decimal text', async () => {
    const buffer = capture();
    await upsertLww(buffer, { ...base, rows: [row('c'), row('a'), row('b')] });
    const params = buffer.sent[0]!.params;
    const ids = [1, 5, 9].map((i) => params[i]); // sdk_app_id, group_id, name, name_v per row
    expect(ids).to.deep.equal(['a', 'b', 'c']);
    expect(params[3]).to.equal('5');
  });

  it('refuses a row without a value for a column of its registers', async () => {
    const { name_v: _, ...incomplete } = row('g');
    let caught: unknown;
    await upsertLww(capture(), { ...base, rows: [incomplete] }).catch((err: unknown) => (caught = err));
    expect(String(caught)).to.match(/no value for name_v/);
  });
});
