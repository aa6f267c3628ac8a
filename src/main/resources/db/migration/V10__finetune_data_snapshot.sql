-- The examples a fine-tune job trains on, fixed when it first starts (a resume trains on the same ones): their
-- ids in training order (pool instance ids, or record positions in the job's data file), their number and a
-- SHA-256 of their text. NULL until the job starts.
ALTER TABLE finetune_job ADD COLUMN snapshot_ids TEXT;
ALTER TABLE finetune_job ADD COLUMN snapshot_examples INTEGER;
ALTER TABLE finetune_job ADD COLUMN snapshot_sha256 VARCHAR(64);
