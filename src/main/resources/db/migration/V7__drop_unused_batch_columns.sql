-- A batch's progress is counted live from the pool and the LLM calls (GET /api/batches/{id}); these snapshot
-- columns were written at the end of a run and never read, and the optimistic-lock version was never checked.
ALTER TABLE batch DROP COLUMN rejected;
ALTER TABLE batch DROP COLUMN accepted;
ALTER TABLE batch DROP COLUMN requests;
ALTER TABLE batch DROP COLUMN prompt_tokens;
ALTER TABLE batch DROP COLUMN completion_tokens;
ALTER TABLE batch DROP COLUMN cost_usd;
ALTER TABLE batch DROP COLUMN version;
