-- Up Migration

-- Snapshots read from Tencent's REST API (backfill, reconcile) are events like callbacks: each has a version
-- (the time its request was sent, minus a margin for clock skew) and writes the same registers. What a
-- snapshot knows beyond the registers is kept here, so that the result does not depend on the order in
-- which snapshots and callbacks arrive:
-- - a group seen alive (`alive_v`): it is not destroyed by a destroy older than that;
-- - a member seen in a complete member list (`present_v`): joined, unless a later event ended it;
-- - a complete member list (`group_member_lists`): every membership that began before it and is not in it
--   ends there (exit type `Reconciled`), like a destroy of the group ends every membership;
-- - a complete friend list or blocklist of a user (`relation_lists`, latest only): pairs not in it are
--   written removed / unblocked at its version.

ALTER TABLE groups ADD COLUMN alive_v numeric;
ALTER TABLE groups DROP COLUMN destroyed_at CASCADE; -- active_groups depends on it: re-created below
ALTER TABLE groups ADD COLUMN destroyed_at timestamptz GENERATED ALWAYS AS (
  CASE WHEN destroyed_v > GREATEST(COALESCE(created_v, -1), COALESCE(alive_v, -1)) THEN last_destroyed_at END
) STORED;

CREATE OR REPLACE VIEW active_groups AS
  SELECT sdk_app_id, group_id, type, name, introduction, notification, face_url, owner_account, created_by,
         custom_data, attributes, created_at, full_at, last_msg_seq, last_msg_at, last_msg_from, updated_at
  FROM groups
  WHERE destroyed_at IS NULL;

-- Every complete member list read of a group (its version only): a membership ends at the first list after
-- it began that does not contain it.
CREATE TABLE group_member_lists (
  sdk_app_id bigint NOT NULL,
  group_id   text NOT NULL,
  v          numeric NOT NULL,
  read_at    timestamptz NOT NULL,
  PRIMARY KEY (sdk_app_id, group_id, v)
);

ALTER TABLE group_members ADD COLUMN present_v numeric;
-- what ended the membership: 'Destroyed' (a destroy of the group) or 'Reconciled' (a member list without it)
ALTER TABLE group_members ADD COLUMN ended_exit text;
ALTER TABLE group_members
  DROP COLUMN status CASCADE, -- active_group_members depends on it: re-created below
  DROP COLUMN left_at,
  DROP COLUMN exit_type,
  DROP COLUMN operator_account;
-- A membership is in force when its latest callback is a join, or when a member list saw it after its
-- latest callback; it then ends at `ended_at` (set by refresh_ended_memberships).
ALTER TABLE group_members
  ADD COLUMN status text GENERATED ALWAYS AS (
    CASE WHEN membership = 'joined' OR present_v > COALESCE(membership_v, -1)
         THEN CASE WHEN ended_at IS NOT NULL THEN 'left' ELSE 'joined' END
         ELSE membership END
  ) STORED,
  ADD COLUMN left_at timestamptz GENERATED ALWAYS AS (
    CASE WHEN membership = 'joined' OR present_v > COALESCE(membership_v, -1) THEN ended_at
         WHEN membership = 'left' THEN membership_at END
  ) STORED,
  ADD COLUMN exit_type text GENERATED ALWAYS AS (
    CASE WHEN membership = 'joined' OR present_v > COALESCE(membership_v, -1)
         THEN CASE WHEN ended_at IS NOT NULL THEN ended_exit END
         WHEN membership = 'left' THEN membership_exit_type END
  ) STORED,
  ADD COLUMN operator_account text GENERATED ALWAYS AS (
    CASE WHEN membership = 'joined' OR present_v > COALESCE(membership_v, -1)
         THEN CASE WHEN ended_at IS NOT NULL THEN ended_by WHEN membership = 'joined' THEN membership_operator END
         ELSE membership_operator END
  ) STORED;

CREATE OR REPLACE VIEW active_group_members AS
  SELECT sdk_app_id, group_id, member_account, role, name_card, join_type, joined_at, operator_account, online,
         updated_at
  FROM group_members
  WHERE status = 'joined';

-- Recomputes when memberships ended: a membership in force since `b` (its latest join, or the latest member
-- list that contained it when that is later than its latest callback) ends at the first destroy of the
-- group or the first member list after `b` (a list after the latest one that contained it does not contain
-- it). For the given accounts, or every member of the group.
CREATE OR REPLACE FUNCTION refresh_ended_memberships(p_app bigint, p_group text, p_accounts text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM group_destroys WHERE sdk_app_id = p_app AND group_id = p_group)
     AND NOT EXISTS (SELECT 1 FROM group_member_lists WHERE sdk_app_id = p_app AND group_id = p_group) THEN
    RETURN;
  END IF;
  WITH b AS (
       SELECT m.member_account,
              CASE WHEN m.present_v > COALESCE(m.membership_v, -1) THEN m.present_v
                   WHEN m.membership = 'joined' THEN m.membership_v END AS began_v
       FROM group_members m
       WHERE m.sdk_app_id = p_app AND m.group_id = p_group
         AND (p_accounts::text[] IS NULL OR m.member_account = ANY(p_accounts))),
     e AS (
       SELECT b.member_account, x.at AS ended_at, x.by AS ended_by, x.exit AS ended_exit
       FROM b
       LEFT JOIN LATERAL (
         SELECT * FROM (
           SELECT d.v, d.destroyed_at AS at, d.operator_account AS by, 'Destroyed' AS exit FROM group_destroys d
           WHERE d.sdk_app_id = p_app AND d.group_id = p_group AND d.v > b.began_v
           UNION ALL
           SELECT l.v, l.read_at, NULL, 'Reconciled' FROM group_member_lists l
           WHERE l.sdk_app_id = p_app AND l.group_id = p_group AND l.v > b.began_v) a
         ORDER BY a.v LIMIT 1) x ON b.began_v IS NOT NULL)
     UPDATE group_members m SET ended_at = e.ended_at, ended_by = e.ended_by, ended_exit = e.ended_exit,
                                updated_at = now()
     FROM e
     WHERE m.sdk_app_id = p_app AND m.group_id = p_group AND m.member_account = e.member_account
       AND (m.ended_at IS DISTINCT FROM e.ended_at OR m.ended_by IS DISTINCT FROM e.ended_by
            OR m.ended_exit IS DISTINCT FROM e.ended_exit);
END
$$;

-- Every complete topic list read of a Community (its version only), and the latest list that contained
-- each topic: a topic ends at the first list after it began that does not contain it, as at a destroy of
-- its group; a topic seen in a list is alive, unless destroyed since.
CREATE TABLE topic_lists (
  sdk_app_id bigint NOT NULL,
  group_id   text NOT NULL,
  v          numeric NOT NULL,
  read_at    timestamptz NOT NULL,
  PRIMARY KEY (sdk_app_id, group_id, v)
);
ALTER TABLE topics ADD COLUMN present_v numeric;
ALTER TABLE topics DROP COLUMN destroyed_at;
ALTER TABLE topics ADD COLUMN destroyed_at timestamptz GENERATED ALWAYS AS (
  CASE WHEN destroyed_v > GREATEST(COALESCE(created_v, -1), COALESCE(present_v, -1)) THEN last_destroyed_at
       ELSE ended_at END
) STORED;

CREATE OR REPLACE FUNCTION refresh_ended_topics(p_app bigint, p_group text, p_topics text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM group_destroys WHERE sdk_app_id = p_app AND group_id = p_group)
     AND NOT EXISTS (SELECT 1 FROM topic_lists WHERE sdk_app_id = p_app AND group_id = p_group) THEN
    RETURN;
  END IF;
  WITH e AS (
       SELECT t.topic_id,
              (SELECT a.at FROM (
                 SELECT d.v, d.destroyed_at AS at FROM group_destroys d
                 WHERE d.sdk_app_id = t.sdk_app_id AND d.group_id = t.group_id
                 UNION ALL
                 SELECT l.v, l.read_at FROM topic_lists l
                 WHERE l.sdk_app_id = t.sdk_app_id AND l.group_id = t.group_id) a
               WHERE a.v > GREATEST(COALESCE(t.created_v, t.first_seen_v), COALESCE(t.present_v, -1))
               ORDER BY a.v LIMIT 1) AS ended_at
       FROM topics t
       WHERE t.sdk_app_id = p_app AND t.group_id = p_group AND (p_topics::text[] IS NULL OR t.topic_id = ANY(p_topics)))
     UPDATE topics t SET ended_at = e.ended_at, updated_at = now() FROM e
     WHERE t.sdk_app_id = p_app AND t.group_id = p_group AND t.topic_id = e.topic_id
       AND t.ended_at IS DISTINCT FROM e.ended_at;
END
$$;

-- The latest complete friend list / blocklist read of each user.
CREATE TABLE relation_lists (
  sdk_app_id   bigint NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('friendships', 'blocklist')),
  from_account text NOT NULL,
  v            numeric NOT NULL,
  PRIMARY KEY (sdk_app_id, kind, from_account)
);

ALTER TABLE friendships ADD COLUMN present_v numeric;
ALTER TABLE blocklist ADD COLUMN present_v numeric;

-- Writes the absence of pairs from their user's latest list as an event at the list's version: a pair
-- not in it (its latest presence is older) and not written since becomes `removed` / `unblocked`.
CREATE FUNCTION refresh_relations(p_app bigint, p_kind text, p_from text, p_to text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  lv numeric;
BEGIN
  SELECT v INTO lv FROM relation_lists WHERE sdk_app_id = p_app AND kind = p_kind AND from_account = p_from;
  IF lv IS NULL THEN RETURN; END IF;
  IF p_kind = 'friendships' THEN
    UPDATE friendships SET status = 'removed', status_v = lv, updated_at = now()
    WHERE sdk_app_id = p_app AND from_account = p_from AND (p_to::text[] IS NULL OR to_account = ANY(p_to))
      AND (status_v IS NULL OR status_v < lv) AND (present_v IS NULL OR present_v < lv);
  ELSE
    UPDATE blocklist SET status = 'unblocked', status_v = lv, updated_at = now()
    WHERE sdk_app_id = p_app AND from_account = p_from AND (p_to::text[] IS NULL OR to_account = ANY(p_to))
      AND (status_v IS NULL OR status_v < lv) AND (present_v IS NULL OR present_v < lv);
  END IF;
END
$$;

-- Where a backfill or reconcile sweep has got to, per app and part: resumed from there.
CREATE TABLE sweep_checkpoints (
  sdk_app_id  bigint NOT NULL,
  sweep       text NOT NULL,
  part        text NOT NULL,
  cursor      jsonb,
  done        boolean NOT NULL DEFAULT false,
  counts      jsonb NOT NULL DEFAULT '{}',
  started_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sdk_app_id, sweep, part)
);

-- Down Migration
DROP TABLE sweep_checkpoints;
DROP FUNCTION refresh_relations(bigint, text, text, text[]);
ALTER TABLE blocklist DROP COLUMN present_v;
ALTER TABLE friendships DROP COLUMN present_v;
DROP TABLE relation_lists;
DROP FUNCTION refresh_ended_topics(bigint, text, text[]);
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
ALTER TABLE topics DROP COLUMN destroyed_at;
ALTER TABLE topics ADD COLUMN destroyed_at timestamptz GENERATED ALWAYS AS (
  CASE WHEN destroyed_v > COALESCE(created_v, -1) THEN last_destroyed_at ELSE ended_at END
) STORED;
ALTER TABLE topics DROP COLUMN present_v;
DROP TABLE topic_lists;
ALTER TABLE group_members
  DROP COLUMN status CASCADE,
  DROP COLUMN left_at,
  DROP COLUMN exit_type,
  DROP COLUMN operator_account;
ALTER TABLE group_members
  ADD COLUMN status text GENERATED ALWAYS AS (
    CASE WHEN membership = 'joined' AND ended_at IS NOT NULL THEN 'left' ELSE membership END
  ) STORED,
  ADD COLUMN left_at timestamptz GENERATED ALWAYS AS (
    CASE WHEN membership = 'left' THEN membership_at WHEN membership = 'joined' THEN ended_at END
  ) STORED,
  ADD COLUMN exit_type text GENERATED ALWAYS AS (
    CASE WHEN membership = 'left' THEN membership_exit_type
         WHEN membership = 'joined' AND ended_at IS NOT NULL THEN 'Destroyed' END
  ) STORED,
  ADD COLUMN operator_account text GENERATED ALWAYS AS (
    CASE WHEN membership = 'joined' AND ended_at IS NOT NULL THEN ended_by ELSE membership_operator END
  ) STORED;
CREATE VIEW active_group_members AS
  SELECT sdk_app_id, group_id, member_account, role, name_card, join_type, joined_at, operator_account, online,
         updated_at
  FROM group_members
  WHERE status = 'joined';
ALTER TABLE group_members DROP COLUMN ended_exit, DROP COLUMN present_v;
DROP TABLE group_member_lists;
ALTER TABLE groups DROP COLUMN destroyed_at CASCADE;
ALTER TABLE groups ADD COLUMN destroyed_at timestamptz GENERATED ALWAYS AS (
  CASE WHEN destroyed_v > COALESCE(created_v, -1) THEN last_destroyed_at END
) STORED;
ALTER TABLE groups DROP COLUMN alive_v;
CREATE VIEW active_groups AS
  SELECT sdk_app_id, group_id, type, name, introduction, notification, face_url, owner_account, created_by,
         custom_data, attributes, created_at, full_at, last_msg_seq, last_msg_at, last_msg_from, updated_at
  FROM groups
  WHERE destroyed_at IS NULL;
