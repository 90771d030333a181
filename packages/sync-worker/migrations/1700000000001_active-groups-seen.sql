-- Up Migration

-- A group imsync saw only through later events (it started after the group was created: joins, messages,
-- info changes) exists in Tencent all the same: active_groups lists every group not destroyed since its
-- latest creation, whether or not that creation was seen. Its created_at is then null.
CREATE OR REPLACE VIEW active_groups AS
  SELECT sdk_app_id, group_id, type, name, introduction, notification, face_url, owner_account, created_by,
         custom_data, attributes, created_at, full_at, last_msg_seq, last_msg_at, last_msg_from, updated_at
  FROM groups
  WHERE destroyed_at IS NULL;

-- Down Migration
CREATE OR REPLACE VIEW active_groups AS
  SELECT sdk_app_id, group_id, type, name, introduction, notification, face_url, owner_account, created_by,
         custom_data, attributes, created_at, full_at, last_msg_seq, last_msg_at, last_msg_from, updated_at
  FROM groups
  WHERE created_at IS NOT NULL AND destroyed_at IS NULL;
