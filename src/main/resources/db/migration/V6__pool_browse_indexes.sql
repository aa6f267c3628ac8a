-- The pool browser's filters and sorts. The default order is newest first, so each filter index ends on id DESC:
-- a filtered first page is then an index range read in order, not a sort of every match. Status and batch have
-- their indexes from V1 (H2 keeps choosing those, and sorts one status's or one batch's rows: tens of ms at 100k).
CREATE INDEX ix_instruction_origin ON instruction (origin, id DESC);
CREATE INDEX ix_instruction_language ON instruction (language, id DESC);
CREATE INDEX ix_instruction_classification ON instruction (is_classification, id DESC);
-- the two similarity orders, null ordering included, so that a page of either is an index range as well
CREATE INDEX ix_instruction_most_similar ON instruction (max_rouge DESC NULLS LAST, id DESC);
CREATE INDEX ix_instruction_least_similar ON instruction (max_rouge ASC NULLS LAST, id ASC);
