-- Structured outputs: set once the LLM server refused response_format, so that the rest of the batch (after a
-- restart too) asks steps 2 and 3 with the text prompts.
ALTER TABLE batch ADD COLUMN text_fallback BOOLEAN DEFAULT FALSE NOT NULL;
