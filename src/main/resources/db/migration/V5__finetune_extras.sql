-- the checkpoint step a fine-tune job last resumed from after a crash or restart (0: never resumed)
ALTER TABLE finetune_job ADD COLUMN resumed_from_step INTEGER NOT NULL DEFAULT 0;
