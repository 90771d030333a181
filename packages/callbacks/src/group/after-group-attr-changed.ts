import { object, string, type InferType } from 'yup';
import { groupHead, keyValueList, groupIdAlias } from '../common.js';

/**
 * Group.CallbackAfterGroupAttrChanged: custom group attributes were reset (`set`), updated (`modify`),
 * removed (`delete`) or cleared (`clear`). Tencent sends lower-case `key`/`value`; they become `Key`/`Value`.
 */
export const GroupAfterGroupAttrChanged = object({
  ...groupHead,
  OptionType: string().oneOf(['set', 'modify', 'delete', 'clear']).required(),
  GroupAttr: keyValueList().default([]),
}).transform(groupIdAlias());
export type GroupAfterGroupAttrChanged = InferType<typeof GroupAfterGroupAttrChanged>;
