-- Failed log-ins are counted per login and client address (and per login
-- over all addresses, source '*'), whether or not the login exists, so the
-- answers do not tell which logins exist. After a few failures the next
-- attempt must wait, the wait doubling with each failure (up to an hour);
-- a team lead or an administrator can lift it. This replaces the hard
-- 24-hour block counted on the user row.
CREATE TABLE login_throttle (
    login TEXT NOT NULL,
    source TEXT NOT NULL,
    failures BIGINT NOT NULL,
    last_failed_at BIGINT NOT NULL,
    locked_until BIGINT NOT NULL,
    PRIMARY KEY (login, source)
);

ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN last_failed_at;

-- Where an attempt came from (the client address as the server saw it).
ALTER TABLE login_attempts ADD COLUMN source TEXT NOT NULL DEFAULT '';
