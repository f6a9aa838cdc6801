-- Spire foundation schema (SQLite). Times are UTC unix seconds (INTEGER).
CREATE TABLE municipalities (
    code INTEGER PRIMARY KEY,
    name TEXT NOT NULL
) STRICT;

CREATE TABLE companies (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities(code),
    cvr TEXT NOT NULL,
    name TEXT NOT NULL,
    industry TEXT NOT NULL,
    address TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (municipality_code, cvr)
) STRICT;

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    municipality_code INTEGER REFERENCES municipalities(code),
    company_id INTEGER REFERENCES companies(id),
    failed_logins INTEGER NOT NULL DEFAULT 0,
    last_failed_at INTEGER,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE company_contacts (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies(id),
    name TEXT NOT NULL,
    title TEXT,
    phone TEXT,
    email TEXT,
    user_id INTEGER REFERENCES users(id)
) STRICT;

CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities(code),
    name TEXT NOT NULL
) STRICT;

CREATE TABLE team_members (
    team_id INTEGER NOT NULL REFERENCES teams(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    fte REAL NOT NULL CHECK (fte > 0 AND fte <= 1),
    PRIMARY KEY (team_id, user_id)
) STRICT;

CREATE TABLE youth (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities(code),
    cpr_ciphertext BLOB NOT NULL,
    cpr_lookup BLOB NOT NULL UNIQUE,
    birth_date TEXT NOT NULL,
    gender TEXT NOT NULL CHECK (gender IN ('female', 'male')),
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    interests TEXT NOT NULL DEFAULT '',
    strengths TEXT NOT NULL DEFAULT '',
    consultant_id INTEGER REFERENCES users(id),
    created_by INTEGER NOT NULL REFERENCES users(id),
    user_id INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX youth_by_municipality ON youth(municipality_code, last_name, first_name);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
) STRICT;

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    label TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE login_attempts (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    login TEXT NOT NULL,
    succeeded INTEGER NOT NULL,
    request_id TEXT NOT NULL
) STRICT;

CREATE TABLE access_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    municipality_code INTEGER REFERENCES municipalities(code),
    action TEXT NOT NULL CHECK (action IN ('read', 'search', 'create', 'update', 'export')),
    youth_id INTEGER REFERENCES youth(id),
    criterion TEXT,
    purpose TEXT NOT NULL,
    request_id TEXT NOT NULL
) STRICT;
CREATE INDEX access_log_by_youth ON access_log(youth_id, at);
CREATE INDEX access_log_by_municipality ON access_log(municipality_code, at);

-- The access log is evidence: rows are never changed, and only removed once
-- older than the retention period (183 days).
CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'access_log is append-only');
END;
CREATE TRIGGER access_log_no_early_delete BEFORE DELETE ON access_log
WHEN old.at > CAST(strftime('%s', 'now') AS INTEGER) - 183 * 86400
BEGIN
    SELECT RAISE(ABORT, 'access_log rows are kept for the retention period');
END;
