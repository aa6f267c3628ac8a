-- One row that admission locks (SELECT ... FOR UPDATE) for each check-and-insert, so that the rule "no two
-- accepted instructions above the threshold" holds across every instance on one database, imports included.
CREATE TABLE admission_lock (
    id INTEGER PRIMARY KEY
);
INSERT INTO admission_lock (id) VALUES (1);
