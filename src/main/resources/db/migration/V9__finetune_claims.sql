-- A cancel asked on any instance reaches the instance that runs the job.
ALTER TABLE finetune_job ADD COLUMN cancel_requested BOOLEAN DEFAULT FALSE NOT NULL;
