-- Answer reuse across batches: each call keeps the fingerprint of its request (server, endpoint, model, prompt,
-- sampling; SHA-256 hex), and a call answered from an earlier one names it in reused_from (and costs 0).
ALTER TABLE llm_call ADD COLUMN fingerprint VARCHAR(64);
ALTER TABLE llm_call ADD COLUMN reused_from BIGINT;
CREATE INDEX ix_llm_call_fingerprint ON llm_call (fingerprint, status);
CREATE INDEX ix_llm_call_reused_from ON llm_call (batch_id, reused_from);
