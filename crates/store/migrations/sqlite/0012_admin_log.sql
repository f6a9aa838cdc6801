-- Every change to users, roles, log-in blocks, two-factor, API tokens and
-- municipalities, with who made it: a signed-in user (actor_user_id) or a
-- command run on the server (actor_command). Append-only: an administrator
-- cannot reach personal data by making an account without it showing here,
-- and the municipality's team lead sees the changes that concern it.
CREATE TABLE admin_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor_user_id INTEGER REFERENCES users(id),
    actor_command TEXT,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    municipality_code INTEGER,
    detail TEXT NOT NULL,
    request_id TEXT NOT NULL,
    CHECK ((actor_user_id IS NULL) <> (actor_command IS NULL))
) STRICT;
CREATE INDEX admin_log_by_municipality ON admin_log(municipality_code, at);

CREATE TRIGGER admin_log_no_update BEFORE UPDATE ON admin_log
BEGIN SELECT RAISE(ABORT, 'admin_log is append-only'); END;
CREATE TRIGGER admin_log_no_delete BEFORE DELETE ON admin_log
BEGIN SELECT RAISE(ABORT, 'admin_log is append-only'); END;
