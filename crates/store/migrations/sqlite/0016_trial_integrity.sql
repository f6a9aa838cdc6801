-- Decisions about a young person's place in a trial that the draw does not
-- make (see postgres/0016): already registered before the draw, crossover.
CREATE TABLE trial_decisions (
    id INTEGER PRIMARY KEY,
    trial_id INTEGER NOT NULL REFERENCES trials(id),
    kind TEXT NOT NULL CHECK (kind IN ('already_registered', 'crossover')),
    subject BLOB NOT NULL,
    ledger_index INTEGER,
    municipality_code INTEGER NOT NULL REFERENCES municipalities(code),
    reason TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    recorded_by INTEGER NOT NULL REFERENCES users(id),
    recorded_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX trial_decisions_one_crossover ON trial_decisions(trial_id, ledger_index)
    WHERE kind = 'crossover';
CREATE INDEX trial_decisions_by_subject ON trial_decisions(trial_id, subject);
CREATE TRIGGER trial_decisions_no_update BEFORE UPDATE ON trial_decisions
BEGIN SELECT RAISE(ABORT, 'trial_decisions is append-only'); END;
CREATE TRIGGER trial_decisions_no_delete BEFORE DELETE ON trial_decisions
BEGIN SELECT RAISE(ABORT, 'trial_decisions is append-only'); END;

-- Registered directly while a trial was open in the municipality: why the
-- young person is outside its target group.
ALTER TABLE youth ADD COLUMN outside_trial TEXT;
