import { upsertGroup } from '../../stores/groups.js';
import { APPLIED, type Handler } from '../types.js';
import { groupKey, typeWrite } from './common.js';

/**
 * Custom attributes, per key last-writer-wins: `modify` writes its keys, `delete` writes tombstones,
 * `set` writes its keys and hides every older key, `clear` hides every older key.
 */
export const afterGroupAttrChanged: Handler<'Group.CallbackAfterGroupAttrChanged'> = async (buffer, e) => {
  const ev = e.event;
  const t = e.version.toString();
  const op = ev.OptionType;
  const entries =
    op === 'clear'
      ? {}
      : Object.fromEntries(
          (ev.GroupAttr ?? []).map((a) => [a.Key, { v: op === 'delete' ? null : a.Value, t }]),
        );
  const resetV = op === 'set' || op === 'clear' ? e.version : null;
  await upsertGroup(buffer, groupKey(e, ev.GroupId), typeWrite(e, ev.Type), { attrs: { entries, resetV } });
  return APPLIED;
};
