-- The trial's evaluation (SQLite): the pre-analysis plan, locked and hashed
-- before the first outcome import, and the imported outcomes keyed by
-- allocation. All of it is evidence: append-only, enforced by triggers.
CREATE TABLE evaluation_plans (
    trial_id INTEGER PRIMARY KEY REFERENCES trials(id),
    -- The plan as canonical JSON; its SHA-256 is the hash researchers register.
    document TEXT NOT NULL,
    digest BLOB NOT NULL,
    locked_by INTEGER NOT NULL REFERENCES users(id),
    locked_at INTEGER NOT NULL
) STRICT;

CREATE TABLE evaluation_imports (
    id INTEGER PRIMARY KEY,
    trial_id INTEGER NOT NULL REFERENCES evaluation_plans(trial_id),
    file_name TEXT NOT NULL,
    file_digest BLOB NOT NULL,
    row_count INTEGER NOT NULL,
    -- The columns the file held, comma-separated, in file order.
    columns TEXT NOT NULL,
    imported_by INTEGER NOT NULL REFERENCES users(id),
    imported_at INTEGER NOT NULL
) STRICT;

-- One value per allocation, outcome and horizon and import; a later import
-- supersedes an earlier value (both stay). NULL: measured as missing.
CREATE TABLE evaluation_outcomes (
    import_id INTEGER NOT NULL REFERENCES evaluation_imports(id),
    trial_id INTEGER NOT NULL REFERENCES trials(id),
    ledger_index INTEGER NOT NULL,
    column_name TEXT NOT NULL,
    value REAL,
    PRIMARY KEY (import_id, ledger_index, column_name)
) STRICT;
CREATE INDEX evaluation_outcomes_by_trial ON evaluation_outcomes(trial_id, column_name, ledger_index);

CREATE TRIGGER evaluation_plans_no_update BEFORE UPDATE ON evaluation_plans
BEGIN SELECT RAISE(ABORT, 'evaluation_plans is append-only'); END;
CREATE TRIGGER evaluation_plans_no_delete BEFORE DELETE ON evaluation_plans
BEGIN SELECT RAISE(ABORT, 'evaluation_plans is append-only'); END;
CREATE TRIGGER evaluation_imports_no_update BEFORE UPDATE ON evaluation_imports
BEGIN SELECT RAISE(ABORT, 'evaluation_imports is append-only'); END;
CREATE TRIGGER evaluation_imports_no_delete BEFORE DELETE ON evaluation_imports
BEGIN SELECT RAISE(ABORT, 'evaluation_imports is append-only'); END;
CREATE TRIGGER evaluation_outcomes_no_update BEFORE UPDATE ON evaluation_outcomes
BEGIN SELECT RAISE(ABORT, 'evaluation_outcomes is append-only'); END;
CREATE TRIGGER evaluation_outcomes_no_delete BEFORE DELETE ON evaluation_outcomes
BEGIN SELECT RAISE(ABORT, 'evaluation_outcomes is append-only'); END;
