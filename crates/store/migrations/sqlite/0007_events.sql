-- Events (NExTWORK-events): youth host company representatives in rounds,
-- then both sides rank each other, the matching engine pairs them, and each
-- pair becomes a call the company makes. Youth log in with one-time codes.

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities(code),
    title TEXT NOT NULL,
    event_date TEXT NOT NULL,
    start_time TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    rounds INTEGER NOT NULL CHECK (rounds BETWEEN 1 AND 12),
    meetings_per_youth INTEGER NOT NULL CHECK (meetings_per_youth BETWEEN 1 AND 12),
    -- The last day youth rank and companies mark (inclusive, Copenhagen).
    ranking_deadline TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX events_by_municipality ON events(municipality_code, event_date);

CREATE TABLE event_facilitators (
    event_id INTEGER NOT NULL REFERENCES events(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (event_id, user_id)
) STRICT;

-- An invited company: its answer, how many representatives (tables) it
-- sends, and after the event how many internship places it offers.
CREATE TABLE event_companies (
    event_id INTEGER NOT NULL REFERENCES events(id),
    company_id INTEGER NOT NULL REFERENCES companies(id),
    status TEXT NOT NULL CHECK (status IN ('invited', 'accepted', 'declined')),
    tables INTEGER NOT NULL DEFAULT 1 CHECK (tables BETWEEN 1 AND 5),
    places INTEGER CHECK (places BETWEEN 0 AND 20),
    invited_by INTEGER NOT NULL REFERENCES users(id),
    invited_at INTEGER NOT NULL,
    answered_by INTEGER REFERENCES users(id),
    answered_at INTEGER,
    PRIMARY KEY (event_id, company_id)
) STRICT;

-- The youth at the event; hosts lead the game at a table.
CREATE TABLE event_youth (
    event_id INTEGER NOT NULL REFERENCES events(id),
    youth_id INTEGER NOT NULL REFERENCES youth(id),
    host INTEGER NOT NULL DEFAULT 0,
    added_by INTEGER NOT NULL REFERENCES users(id),
    added_at INTEGER NOT NULL,
    PRIMARY KEY (event_id, youth_id)
) STRICT;

-- The rotation grid: in each round a youth sits at one company's table.
CREATE TABLE event_grid (
    event_id INTEGER NOT NULL REFERENCES events(id),
    round INTEGER NOT NULL,
    company_id INTEGER NOT NULL REFERENCES companies(id),
    table_no INTEGER NOT NULL,
    youth_id INTEGER NOT NULL REFERENCES youth(id),
    PRIMARY KEY (event_id, round, youth_id)
) STRICT;

-- Every change to the grid (generated, or moved by hand) and what the check
-- said it breaks.
CREATE TABLE event_grid_log (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    change TEXT NOT NULL,
    breaks TEXT NOT NULL DEFAULT '',
    changed_by INTEGER NOT NULL REFERENCES users(id),
    changed_at INTEGER NOT NULL
) STRICT;

-- After the event: the youth's order of the companies they met, and the
-- companies' order of the youth they would welcome.
CREATE TABLE event_rankings (
    event_id INTEGER NOT NULL REFERENCES events(id),
    youth_id INTEGER NOT NULL REFERENCES youth(id),
    company_id INTEGER NOT NULL REFERENCES companies(id),
    rank INTEGER NOT NULL,
    PRIMARY KEY (event_id, youth_id, company_id),
    UNIQUE (event_id, youth_id, rank)
) STRICT;

CREATE TABLE event_welcomes (
    event_id INTEGER NOT NULL REFERENCES events(id),
    company_id INTEGER NOT NULL REFERENCES companies(id),
    youth_id INTEGER NOT NULL REFERENCES youth(id),
    rank INTEGER NOT NULL,
    PRIMARY KEY (event_id, company_id, youth_id),
    UNIQUE (event_id, company_id, rank)
) STRICT;

-- A run of the engine (youth-proposing deferred acceptance) on the
-- preferences as they stood, kept with a digest of its input.
CREATE TABLE match_runs (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    input_digest TEXT NOT NULL,
    run_by INTEGER NOT NULL REFERENCES users(id),
    run_at INTEGER NOT NULL
) STRICT;

-- Each youth's result in a run: the engine's company, and the company after
-- an override (with its reason and who made it).
CREATE TABLE match_results (
    run_id INTEGER NOT NULL REFERENCES match_runs(id),
    youth_id INTEGER NOT NULL REFERENCES youth(id),
    engine_company_id INTEGER REFERENCES companies(id),
    company_id INTEGER REFERENCES companies(id),
    override_reason TEXT,
    override_by INTEGER REFERENCES users(id),
    override_at INTEGER,
    PRIMARY KEY (run_id, youth_id)
) STRICT;

-- The company's call to a matched youth. An agreed call makes a planned
-- internship.
CREATE TABLE event_calls (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    run_id INTEGER NOT NULL REFERENCES match_runs(id),
    youth_id INTEGER NOT NULL REFERENCES youth(id),
    company_id INTEGER NOT NULL REFERENCES companies(id),
    status TEXT NOT NULL CHECK (status IN ('open', 'reached', 'not_reached', 'agreed', 'withdrawn')),
    note TEXT NOT NULL DEFAULT '',
    recorded_by INTEGER REFERENCES users(id),
    recorded_at INTEGER,
    internship_id INTEGER REFERENCES internships(id),
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX event_calls_by_company ON event_calls(company_id, status);
CREATE UNIQUE INDEX event_calls_one_live ON event_calls(event_id, youth_id) WHERE status <> 'withdrawn';

-- One-time log-in codes a consultant gives a youth: stored as a hash, valid
-- until used or expired.
CREATE TABLE login_codes (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL UNIQUE,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
) STRICT;

-- Failed code attempts, for the rate limit (no code is stored).
CREATE TABLE login_code_failures (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    client TEXT NOT NULL
) STRICT;
CREATE INDEX login_code_failures_by_at ON login_code_failures(at);

-- A municipality's own deck of conversation cards, one card a line (empty:
-- the default deck).
CREATE TABLE conversation_decks (
    municipality_code INTEGER PRIMARY KEY REFERENCES municipalities(code),
    cards TEXT NOT NULL,
    updated_by INTEGER NOT NULL REFERENCES users(id),
    updated_at INTEGER NOT NULL
) STRICT;

-- Tasks learn a third kind: an internship agreed on a call after an event,
-- for the consultant to complete.
CREATE TABLE tasks_new (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities(code),
    youth_id INTEGER NOT NULL REFERENCES youth(id),
    assignee_id INTEGER REFERENCES users(id),
    kind TEXT NOT NULL CHECK (kind IN ('internship_ended_by_youth', 'network_absences', 'event_internship')),
    internship_id INTEGER REFERENCES internships(id),
    due_date TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    done_at INTEGER,
    done_by INTEGER REFERENCES users(id)
) STRICT;
INSERT INTO tasks_new SELECT id, municipality_code, youth_id, assignee_id, kind, internship_id, due_date, created_at, done_at, done_by FROM tasks;
DROP TABLE tasks;
ALTER TABLE tasks_new RENAME TO tasks;
CREATE INDEX tasks_open ON tasks(municipality_code, done_at, due_date);
