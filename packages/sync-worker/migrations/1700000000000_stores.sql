-- Up Migration

-- Every mutable field is a last-writer-wins register: the value and the version of the event that wrote
-- it. A version is `event_time_ms * 2^64 + first 64 bits of the event key` (see @imsync/callbacks
-- eventVersion), so an event with a later time wins and equal times are broken by the event key.

-- Merges LWW maps `{key: {"v": value, "t": "version"}}`: per key, the entry with the greater version.
CREATE FUNCTION lww_merge(cur jsonb, inc jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  IF inc IS NULL OR inc = '{}'::jsonb THEN RETURN COALESCE(cur, '{}'::jsonb); END IF;
  IF cur IS NULL OR cur = '{}'::jsonb THEN RETURN inc; END IF;
  RETURN cur || COALESCE((
    SELECT jsonb_object_agg(i.key, i.value)
    FROM jsonb_each(inc) AS i
    WHERE NOT (cur ? i.key) OR (i.value->>'t')::numeric > (cur->i.key->>'t')::numeric
  ), '{}'::jsonb);
END
$$;

-- The visible map of an LWW map: entries that are not deleted (v is null) and not older than a reset.
CREATE FUNCTION lww_visible(entries jsonb, reset_v numeric) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  IF entries IS NULL OR entries = '{}'::jsonb THEN RETURN '{}'::jsonb; END IF;
  RETURN (
    SELECT COALESCE(jsonb_object_agg(e.key, e.value->'v') FILTER (
      WHERE jsonb_typeof(e.value->'v') IS DISTINCT FROM 'null'
        AND (reset_v IS NULL OR (e.value->>'t')::numeric >= reset_v)
    ), '{}'::jsonb)
    FROM jsonb_each(entries) AS e);
END
$$;

-- The messages that can still be a group's last message, as a jsonb array of
-- `{"s": MsgSeq, "v": "event version", "at": ms, "from": account}`: a message is dropped once another one
-- beats it on both counts (a later event and a MsgSeq at least as high), so the array stays tiny (about one
-- entry per incarnation of the group) and the merge does not depend on the order messages arrive in.
CREATE FUNCTION last_msgs_merge(cur jsonb, inc jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  IF inc IS NULL OR inc = '[]'::jsonb THEN RETURN COALESCE(cur, '[]'::jsonb); END IF;
  IF cur IS NULL OR cur = '[]'::jsonb THEN RETURN inc; END IF;
  RETURN (
    WITH a AS (
      SELECT DISTINCT ON ((e->>'v')::numeric) e, (e->>'s')::numeric AS s, (e->>'v')::numeric AS v
      FROM jsonb_array_elements(cur || inc) AS e
      ORDER BY (e->>'v')::numeric
    )
    SELECT COALESCE(jsonb_agg(a.e ORDER BY a.v), '[]'::jsonb) FROM a
    WHERE NOT EXISTS (SELECT 1 FROM a AS b WHERE b.v > a.v AND b.s >= a.s));
END
$$;

-- A group's last message: the highest MsgSeq (then the later event) among the messages sent after the
-- group's latest creation (a re-created group starts its sequence again).
CREATE FUNCTION last_msg_of(msgs jsonb, created_v numeric) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  IF msgs IS NULL OR msgs = '[]'::jsonb THEN RETURN NULL; END IF;
  RETURN (
    SELECT e FROM jsonb_array_elements(msgs) AS e
    WHERE created_v IS NULL OR (e->>'v')::numeric > created_v
    ORDER BY (e->>'s')::numeric DESC, (e->>'v')::numeric DESC
    LIMIT 1);
END
$$;

CREATE TABLE groups (
  sdk_app_id        bigint NOT NULL,
  group_id          text NOT NULL,
  type              text,
  type_v            numeric,
  name              text,
  name_v            numeric,
  introduction      text,
  introduction_v    numeric,
  notification      text,
  notification_v    numeric,
  face_url          text,
  face_url_v        numeric,
  owner_account     text,
  owner_v           numeric,
  created_by        text,
  custom_data       jsonb,
  created_at        timestamptz,
  created_v         numeric,
  last_destroyed_at timestamptz,
  destroyed_v       numeric,
  destroyed_at      timestamptz GENERATED ALWAYS AS (
    CASE WHEN destroyed_v > COALESCE(created_v, -1) THEN last_destroyed_at END
  ) STORED,
  full_at           timestamptz,
  full_v            numeric,
  last_msgs         jsonb NOT NULL DEFAULT '[]',
  last_msg_seq      bigint GENERATED ALWAYS AS ((last_msg_of(last_msgs, created_v)->>'s')::bigint) STORED,
  last_msg_at       timestamptz GENERATED ALWAYS AS (
    to_timestamp((last_msg_of(last_msgs, created_v)->>'at')::double precision / 1000)
  ) STORED,
  last_msg_from     text GENERATED ALWAYS AS (last_msg_of(last_msgs, created_v)->>'from') STORED,
  attr_entries      jsonb NOT NULL DEFAULT '{}',
  attr_reset_v      numeric,
  attributes        jsonb GENERATED ALWAYS AS (lww_visible(attr_entries, attr_reset_v)) STORED,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sdk_app_id, group_id)
);

-- Every destroy of a group (a group can be re-created with the same ID): a membership, and a topic, ends at
-- the first destroy after it began.
CREATE TABLE group_destroys (
  sdk_app_id       bigint NOT NULL,
  group_id         text NOT NULL,
  v                numeric NOT NULL,
  destroyed_at     timestamptz NOT NULL,
  operator_account text,
  PRIMARY KEY (sdk_app_id, group_id, v)
);

CREATE TABLE group_members (
  sdk_app_id           bigint NOT NULL,
  group_id             text NOT NULL,
  member_account       text NOT NULL,
  role                 text,
  role_v               numeric,
  name_card            text,
  name_card_v          numeric,
  joined_at            timestamptz,
  join_type            text,
  join_v               numeric,
  membership           text,
  membership_at        timestamptz,
  membership_exit_type text,
  membership_operator  text,
  membership_v         numeric,
  -- the first destroy of the group after the latest membership event, when that event was a join
  ended_at             timestamptz,
  ended_by             text,
  status               text GENERATED ALWAYS AS (
    CASE WHEN membership = 'joined' AND ended_at IS NOT NULL THEN 'left' ELSE membership END
  ) STORED,
  left_at              timestamptz GENERATED ALWAYS AS (
    CASE WHEN membership = 'left' THEN membership_at WHEN membership = 'joined' THEN ended_at END
  ) STORED,
  exit_type            text GENERATED ALWAYS AS (
    CASE WHEN membership = 'left' THEN membership_exit_type
         WHEN membership = 'joined' AND ended_at IS NOT NULL THEN 'Destroyed' END
  ) STORED,
  operator_account     text GENERATED ALWAYS AS (
    CASE WHEN membership = 'joined' AND ended_at IS NOT NULL THEN ended_by ELSE membership_operator END
  ) STORED,
  online               boolean,
  online_v             numeric,
  updated_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sdk_app_id, group_id, member_account)
);

CREATE TABLE topics (
  sdk_app_id        bigint NOT NULL,
  group_id          text NOT NULL,
  topic_id          text NOT NULL,
  name              text,
  name_v            numeric,
  introduction      text,
  introduction_v    numeric,
  notification      text,
  notification_v    numeric,
  face_url          text,
  face_url_v        numeric,
  owner_account     text,
  owner_v           numeric,
  custom_data       jsonb,
  created_at        timestamptz,
  created_v         numeric,
  last_destroyed_at timestamptz,
  destroyed_v       numeric,
  -- the version of the first event seen for the topic: when it began if its creation was not seen
  first_seen_v      numeric,
  -- the first destroy of the group after the topic began (a group's topics go with it)
  ended_at          timestamptz,
  destroyed_at      timestamptz GENERATED ALWAYS AS (
    CASE WHEN destroyed_v > COALESCE(created_v, -1) THEN last_destroyed_at ELSE ended_at END
  ) STORED,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sdk_app_id, group_id, topic_id)
);

CREATE TABLE users (
  sdk_app_id       bigint NOT NULL,
  user_id          text NOT NULL,
  online_status    text,
  last_action      text,
  last_reason      text,
  last_platform    text,
  last_client_ip   text,
  state_changed_at timestamptz,
  state_v          numeric,
  profile_entries  jsonb NOT NULL DEFAULT '{}',
  profile          jsonb GENERATED ALWAYS AS (lww_visible(profile_entries, NULL)) STORED,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sdk_app_id, user_id)
);

CREATE TABLE friendships (
  sdk_app_id        bigint NOT NULL,
  from_account      text NOT NULL,
  to_account        text NOT NULL,
  status            text,
  status_v          numeric,
  initiator_account text,
  initiator_v       numeric,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sdk_app_id, from_account, to_account)
);

CREATE TABLE blocklist (
  sdk_app_id   bigint NOT NULL,
  from_account text NOT NULL,
  to_account   text NOT NULL,
  status       text,
  status_v     numeric,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sdk_app_id, from_account, to_account)
);

-- Recomputes when memberships were ended by a destroy of their group (see stores/groups.ts). Nothing to do
-- while the group was never destroyed. plpgsql, so that each session plans the statement once.
CREATE FUNCTION refresh_ended_memberships(p_app bigint, p_group text, p_accounts text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM group_destroys WHERE sdk_app_id = p_app AND group_id = p_group) THEN RETURN; END IF;
  WITH e AS (
       SELECT m.member_account, d.destroyed_at AS ended_at, d.operator_account AS ended_by
       FROM group_members m
       LEFT JOIN LATERAL (
         SELECT d.destroyed_at, d.operator_account FROM group_destroys d
         WHERE m.membership = 'joined'
           AND d.sdk_app_id = m.sdk_app_id AND d.group_id = m.group_id AND d.v > m.membership_v
         ORDER BY d.v LIMIT 1) d ON true
       WHERE m.sdk_app_id = p_app AND m.group_id = p_group AND (p_accounts::text[] IS NULL OR m.member_account = ANY(p_accounts)))
     UPDATE group_members m SET ended_at = e.ended_at, ended_by = e.ended_by, updated_at = now() FROM e
     WHERE m.sdk_app_id = p_app AND m.group_id = p_group AND m.member_account = e.member_account
       AND (m.ended_at IS DISTINCT FROM e.ended_at OR m.ended_by IS DISTINCT FROM e.ended_by);
END
$$;

-- Recomputes when topics were ended by a destroy of their group, likewise.
CREATE FUNCTION refresh_ended_topics(p_app bigint, p_group text, p_topics text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM group_destroys WHERE sdk_app_id = p_app AND group_id = p_group) THEN RETURN; END IF;
  WITH e AS (
       SELECT t.topic_id,
              (SELECT d.destroyed_at FROM group_destroys d
               WHERE d.sdk_app_id = t.sdk_app_id AND d.group_id = t.group_id
                 AND d.v > COALESCE(t.created_v, t.first_seen_v)
               ORDER BY d.v LIMIT 1) AS ended_at
       FROM topics t
       WHERE t.sdk_app_id = p_app AND t.group_id = p_group AND (p_topics::text[] IS NULL OR t.topic_id = ANY(p_topics)))
     UPDATE topics t SET ended_at = e.ended_at, updated_at = now() FROM e
     WHERE t.sdk_app_id = p_app AND t.group_id = p_group AND t.topic_id = e.topic_id
       AND t.ended_at IS DISTINCT FROM e.ended_at;
END
$$;

CREATE VIEW active_groups AS
  SELECT sdk_app_id, group_id, type, name, introduction, notification, face_url, owner_account, created_by,
         custom_data, attributes, created_at, full_at, last_msg_seq, last_msg_at, last_msg_from, updated_at
  FROM groups
  WHERE created_at IS NOT NULL AND destroyed_at IS NULL;

CREATE VIEW active_group_members AS
  SELECT sdk_app_id, group_id, member_account, role, name_card, join_type, joined_at, operator_account, online,
         updated_at
  FROM group_members
  WHERE status = 'joined';

-- Down Migration
DROP FUNCTION refresh_ended_topics(bigint, text, text[]);
DROP FUNCTION refresh_ended_memberships(bigint, text, text[]);
DROP VIEW active_group_members;
DROP VIEW active_groups;
DROP TABLE blocklist, friendships, users, topics, group_members, group_destroys, groups;
DROP FUNCTION last_msg_of(jsonb, numeric);
DROP FUNCTION last_msgs_merge(jsonb, jsonb);
DROP FUNCTION lww_visible(jsonb, numeric);
DROP FUNCTION lww_merge(jsonb, jsonb);
