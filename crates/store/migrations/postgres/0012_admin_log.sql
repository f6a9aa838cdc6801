-- Every change to users, roles, log-in blocks, two-factor, API tokens and
-- municipalities, with who made it: a signed-in user (actor_user_id) or a
-- command run on the server (actor_command). Append-only: an administrator
-- cannot reach personal data by making an account without it showing here,
-- and the municipality's team lead sees the changes that concern it.
CREATE TABLE admin_log (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_user_id BIGINT REFERENCES users(id),
    actor_command TEXT,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    municipality_code BIGINT,
    detail TEXT NOT NULL,
    request_id TEXT NOT NULL,
    CHECK ((actor_user_id IS NULL) <> (actor_command IS NULL))
);
CREATE INDEX admin_log_by_municipality ON admin_log(municipality_code, at);

CREATE FUNCTION admin_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'admin_log is append-only'; END $$;
CREATE TRIGGER admin_log_append_only BEFORE UPDATE OR DELETE ON admin_log
    FOR EACH ROW EXECUTE FUNCTION admin_log_append_only();
