import type { Db } from '../db.js';

/** The parts of a sweep, in the order they run. */
export const PARTS = [
  'groups',
  'members',
  'attributes',
  'topics',
  'profiles',
  'online',
  'friends',
  'blocklist',
] as const;
export type Part = (typeof PARTS)[number];

/** Where a part has got to: the last key done (a group id, a user id, a page cursor), and whether it is done. */
export interface PartState {
  readonly cursor: Record<string, unknown> | null;
  readonly done: boolean;
}

/** Sweeps' checkpoints in PostgreSQL (`sweep_checkpoints`): one row per app, sweep name and part. */
export class Checkpoints {
  constructor(
    private readonly db: Db,
    private readonly sdkAppId: number,
    private readonly sweep: string,
  ) {}

  async load(): Promise<Map<Part, PartState>> {
    const res = await this.db.query<{ part: Part; cursor: Record<string, unknown> | null; done: boolean }>(
      'SELECT part, cursor, done FROM sweep_checkpoints WHERE sdk_app_id = $1 AND sweep = $2',
      [this.sdkAppId, this.sweep],
    );
    return new Map(res.rows.map((r) => [r.part, { cursor: r.cursor, done: r.done }]));
  }

  async save(part: Part, state: PartState): Promise<void> {
    await this.db.query(
      `INSERT INTO sweep_checkpoints (sdk_app_id, sweep, part, cursor, done) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (sdk_app_id, sweep, part) DO UPDATE SET cursor = EXCLUDED.cursor, done = EXCLUDED.done,
         updated_at = now()`,
      [
        this.sdkAppId,
        this.sweep,
        part,
        state.cursor === null ? null : JSON.stringify(state.cursor),
        state.done,
      ],
    );
  }

  /** Forgets the parts' progress: the next run starts afresh. */
  async reset(parts: readonly Part[]): Promise<void> {
    await this.db.query(
      'DELETE FROM sweep_checkpoints WHERE sdk_app_id = $1 AND sweep = $2 AND part = ANY($3::text[])',
      [this.sdkAppId, this.sweep, [...parts]],
    );
  }
}
