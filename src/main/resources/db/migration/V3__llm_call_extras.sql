-- Every choice of a call (text and finish reason, as a JSON array), so that a resumed batch replays calls
-- made with n > 1 exactly; response and finish_reason keep the first choice for people browsing the table.
ALTER TABLE llm_call ADD COLUMN choices TEXT;
