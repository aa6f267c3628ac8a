-- The pool browser's filters and sorts, each ending on the id so that a page in id order reads the index in order.
CREATE INDEX ix_instruction_origin ON instruction (origin, id);
CREATE INDEX ix_instruction_language ON instruction (language, id);
CREATE INDEX ix_instruction_classification ON instruction (is_classification, id);
CREATE INDEX ix_instruction_max_rouge ON instruction (max_rouge, id);
CREATE INDEX ix_instruction_batch_id ON instruction (batch_id, id);
