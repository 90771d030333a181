/**
 * The reference model's state: plain in-memory maps holding what Tencent's own state would be after the
 * events, written independently of the SQL (it applies each event once, in order, by overwriting).
 */
export type Json = Record<string, unknown>;

export interface GroupState {
  type: string | null;
  name: string | null;
  introduction: string | null;
  notification: string | null;
  face_url: string | null;
  owner_account: string | null;
  created_by: string | null;
  custom_data: Json | null;
  attributes: Map<string, string>;
  created_at: number | null;
  destroyed_at: number | null;
  full_at: number | null;
  lastMsg: { seq: number; version: bigint; at: number; from: string } | null;
}

export interface MemberState {
  role: string | null;
  name_card: string | null;
  status: 'joined' | 'left' | null;
  join_type: string | null;
  exit_type: string | null;
  joined_at: number | null;
  left_at: number | null;
  operator_account: string | null;
  online: boolean | null;
  /** The latest membership callback (join or exit) and its operator: not a documented column. */
  cb: { joined: boolean; operator: string | null } | null;
}

export interface TopicState {
  name: string | null;
  introduction: string | null;
  notification: string | null;
  face_url: string | null;
  owner_account: string | null;
  custom_data: Json | null;
  created_at: number | null;
  destroyed_at: number | null;
}

export interface UserState {
  online_status: string | null;
  last_action: string | null;
  last_reason: string | null;
  last_platform: string | null;
  last_client_ip: string | null;
  state_changed_at: number | null;
  profile: Map<string, string | number>;
}

export const newGroup = (): GroupState => ({
  type: null,
  name: null,
  introduction: null,
  notification: null,
  face_url: null,
  owner_account: null,
  created_by: null,
  custom_data: null,
  attributes: new Map(),
  created_at: null,
  destroyed_at: null,
  full_at: null,
  lastMsg: null,
});

export const newMember = (): MemberState => ({
  role: null,
  name_card: null,
  status: null,
  join_type: null,
  exit_type: null,
  joined_at: null,
  left_at: null,
  operator_account: null,
  online: null,
  cb: null,
});

export const newTopic = (): TopicState => ({
  name: null,
  introduction: null,
  notification: null,
  face_url: null,
  owner_account: null,
  custom_data: null,
  created_at: null,
  destroyed_at: null,
});

export const newUser = (): UserState => ({
  online_status: null,
  last_action: null,
  last_reason: null,
  last_platform: null,
  last_client_ip: null,
  state_changed_at: null,
  profile: new Map(),
});

/** A map whose keys are tuples (joined with NUL), creating entries on first use. */
export class Table<V> {
  readonly rows = new Map<string, { key: (string | number)[]; value: V }>();
  constructor(private readonly create: () => V) {}

  get(...key: (string | number)[]): V {
    const k = key.join('\u0000');
    let row = this.rows.get(k);
    if (!row) {
      row = { key, value: this.create() };
      this.rows.set(k, row);
    }
    return row.value;
  }

  entries(): { key: (string | number)[]; value: V }[] {
    return [...this.rows.values()];
  }
}
