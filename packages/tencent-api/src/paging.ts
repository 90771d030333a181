/** What the group and account reads share: Tencent's batches, and the errors of a batch or a page gone wrong. */
import { TencentApiError } from './errors.js';
import type { Endpoint } from './endpoints.js';
import type { ItemError } from './types.js';

/** The error of an item Tencent left out of a batch answer. */
export const MISSING_ITEM: ItemError = { code: -1, message: 'Tencent left this item out of its answer' };

/** `items` in slices of at most `size`: one call each. */
export function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** A page that answered with the cursor it was asked for: paging on would never end. */
export function cursorStuck(endpoint: Endpoint, cursor: string): TencentApiError {
  const message = `the paging cursor did not move (${cursor})`;
  return new TencentApiError(`${endpoint}: ${message}`, null, endpoint, message, 'fatal');
}
