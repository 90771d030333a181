/** Client platforms as Tencent names them in `OptPlatform` and `KickedDevice[].Platform`. */
export const PLATFORMS = [
  'RESTAPI',
  'Web',
  'Android',
  'iOS',
  'Windows',
  'Mac',
  'iPad',
  'Linux',
  'Unknown',
] as const;
export type Platform = (typeof PLATFORMS)[number];

const BY_LOWER = new Map<string, Platform>(PLATFORMS.map((p) => [p.toLowerCase(), p]));
BY_LOWER.set('macos', 'Mac');

/**
 * One spelling per platform: State.StateChange sends `IOS`, other callbacks `iOS`, a LiveKit page `iOs`,
 * English lists add `macOS`. Unknown values are kept as sent rather than dropped.
 */
export function normalizePlatform(value: string | undefined | null): string | null {
  if (value === undefined || value === null || value === '') return null;
  return BY_LOWER.get(value.toLowerCase()) ?? value;
}
