-- The randomised trial (SQLite). The ledger, its signed heads, the frozen
-- baselines, the screening log and the designs are evidence: append-only,
-- enforced by triggers. Mutable state (Merkle frontier, block slots, margins)
-- is a cache of the ledger that `spire trial verify` recomputes.
CREATE TABLE trials (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    target_size INTEGER NOT NULL CHECK (target_size > 0),
    -- Eligibility rules and custom stratification fields (JSON, see trials.rs).
    settings TEXT NOT NULL,
    design_version INTEGER NOT NULL,
    commitment BLOB NOT NULL,
    -- The trial key and the tree-head signing seed, encrypted under the server
    -- key: a copy of the database alone reveals neither.
    key_ciphertext BLOB NOT NULL,
    head_seed_ciphertext BLOB NOT NULL,
    head_public_key BLOB NOT NULL,
    ledger_size INTEGER NOT NULL DEFAULT 0,
    allocation_count INTEGER NOT NULL DEFAULT 0,
    frontier BLOB NOT NULL,
    last_unix_seconds INTEGER NOT NULL DEFAULT 0,
    last_nanos INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE trial_designs (
    trial_id INTEGER NOT NULL REFERENCES trials(id),
    version INTEGER NOT NULL,
    document BLOB NOT NULL,
    digest BLOB NOT NULL,
    from_index INTEGER NOT NULL,
    PRIMARY KEY (trial_id, version)
) STRICT;

-- One row per ledger entry: exactly the fields of the canonical leaf, so the
-- verifier recomputes every leaf from these columns.
CREATE TABLE trial_ledger (
    id INTEGER PRIMARY KEY,
    trial_id INTEGER NOT NULL REFERENCES trials(id),
    ledger_index INTEGER NOT NULL,
    design_version INTEGER NOT NULL,
    unix_seconds INTEGER NOT NULL,
    nanos INTEGER NOT NULL,
    actor_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('allocation', 'annotation', 'amendment')),
    stratum TEXT,
    allocation_number INTEGER,
    block_number INTEGER,
    block_offset INTEGER,
    subject BLOB,
    arm TEXT CHECK (arm IN ('programme', 'control')),
    baseline_hash BLOB,
    annotated_index INTEGER,
    note_hash BLOB,
    design_digest BLOB,
    -- The annotation's text (reason, who, when); its SHA-256 is the leaf's note hash.
    note TEXT,
    leaf_hash BLOB NOT NULL,
    municipality_code INTEGER,
    UNIQUE (trial_id, ledger_index)
) STRICT;
CREATE UNIQUE INDEX trial_ledger_one_allocation_per_subject ON trial_ledger(trial_id, subject) WHERE kind = 'allocation';
CREATE UNIQUE INDEX trial_ledger_allocation_numbers ON trial_ledger(trial_id, allocation_number) WHERE kind = 'allocation';

CREATE TABLE trial_heads (
    trial_id INTEGER NOT NULL REFERENCES trials(id),
    tree_size INTEGER NOT NULL,
    root BLOB NOT NULL,
    unix_seconds INTEGER NOT NULL,
    nanos INTEGER NOT NULL,
    signature BLOB NOT NULL,
    PRIMARY KEY (trial_id, tree_size)
) STRICT;

-- The frozen baseline of each randomised youth: personal data, reached only
-- through a Scope. The CPR number is encrypted; `subject` is its keyed hash.
CREATE TABLE trial_baselines (
    ledger_id INTEGER PRIMARY KEY REFERENCES trial_ledger(id),
    trial_id INTEGER NOT NULL REFERENCES trials(id),
    subject BLOB NOT NULL,
    cpr_ciphertext BLOB NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    municipality_code INTEGER NOT NULL,
    baseline TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    UNIQUE (trial_id, subject)
) STRICT;

-- CONSORT: every screening, eligible or not, and what came of it.
CREATE TABLE trial_screenings (
    id INTEGER PRIMARY KEY,
    trial_id INTEGER NOT NULL REFERENCES trials(id),
    at INTEGER NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    municipality_code INTEGER,
    subject BLOB NOT NULL,
    eligible INTEGER NOT NULL,
    reasons TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('screened', 'excluded', 'randomised', 'already_randomised')),
    request_id TEXT NOT NULL
) STRICT;
CREATE INDEX trial_screenings_by_trial ON trial_screenings(trial_id, subject);

-- The slot each (design version, stratum) takes next, and the arm counts per
-- factor level (minimisation's margins, kept for minimisation trials).
-- Both are caches of the ledger.
CREATE TABLE trial_block_slots (
    trial_id INTEGER NOT NULL REFERENCES trials(id),
    design_version INTEGER NOT NULL,
    stratum TEXT NOT NULL,
    block_number INTEGER NOT NULL,
    block_offset INTEGER NOT NULL,
    PRIMARY KEY (trial_id, design_version, stratum)
) STRICT;

CREATE TABLE trial_margins (
    trial_id INTEGER NOT NULL REFERENCES trials(id),
    factor TEXT NOT NULL,
    level TEXT NOT NULL,
    programme INTEGER NOT NULL,
    control INTEGER NOT NULL,
    PRIMARY KEY (trial_id, factor, level)
) STRICT;

-- A retried request (same Idempotency-Key from the same user) gets the
-- allocation it already made.
CREATE TABLE trial_idempotency (
    trial_id INTEGER NOT NULL REFERENCES trials(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    idempotency_key TEXT NOT NULL,
    subject BLOB NOT NULL,
    ledger_index INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (trial_id, user_id, idempotency_key)
) STRICT;

-- Take-up of the programme offer, recorded after allocation.
CREATE TABLE trial_take_up (
    id INTEGER PRIMARY KEY,
    trial_id INTEGER NOT NULL REFERENCES trials(id),
    ledger_index INTEGER NOT NULL,
    accepted INTEGER NOT NULL,
    decided_on TEXT NOT NULL,
    recorded_by INTEGER NOT NULL REFERENCES users(id),
    recorded_at INTEGER NOT NULL,
    UNIQUE (trial_id, ledger_index)
) STRICT;

-- The two-person reveal of the trial key at the end of the trial (it closes the trial).
CREATE TABLE trial_reveals (
    id INTEGER PRIMARY KEY,
    trial_id INTEGER NOT NULL REFERENCES trials(id),
    first_user_id INTEGER NOT NULL REFERENCES users(id),
    second_user_id INTEGER NOT NULL REFERENCES users(id),
    at INTEGER NOT NULL,
    CHECK (first_user_id <> second_user_id)
) STRICT;

-- Every pseudonymised research export: for which study, to whom, why.
CREATE TABLE trial_exports (
    id INTEGER PRIMARY KEY,
    trial_id INTEGER NOT NULL REFERENCES trials(id),
    study TEXT NOT NULL,
    recipient TEXT NOT NULL,
    purpose TEXT NOT NULL,
    row_count INTEGER NOT NULL,
    at INTEGER NOT NULL
) STRICT;

CREATE TRIGGER trial_ledger_no_update BEFORE UPDATE ON trial_ledger
BEGIN SELECT RAISE(ABORT, 'trial_ledger is append-only'); END;
CREATE TRIGGER trial_ledger_no_delete BEFORE DELETE ON trial_ledger
BEGIN SELECT RAISE(ABORT, 'trial_ledger is append-only'); END;
CREATE TRIGGER trial_heads_no_update BEFORE UPDATE ON trial_heads
BEGIN SELECT RAISE(ABORT, 'trial_heads is append-only'); END;
CREATE TRIGGER trial_heads_no_delete BEFORE DELETE ON trial_heads
BEGIN SELECT RAISE(ABORT, 'trial_heads is append-only'); END;
CREATE TRIGGER trial_baselines_no_update BEFORE UPDATE ON trial_baselines
BEGIN SELECT RAISE(ABORT, 'trial_baselines is append-only'); END;
CREATE TRIGGER trial_baselines_no_delete BEFORE DELETE ON trial_baselines
BEGIN SELECT RAISE(ABORT, 'trial_baselines is append-only'); END;
CREATE TRIGGER trial_designs_no_update BEFORE UPDATE ON trial_designs
BEGIN SELECT RAISE(ABORT, 'trial_designs is append-only'); END;
CREATE TRIGGER trial_designs_no_delete BEFORE DELETE ON trial_designs
BEGIN SELECT RAISE(ABORT, 'trial_designs is append-only'); END;
CREATE TRIGGER trial_screenings_no_update BEFORE UPDATE ON trial_screenings
BEGIN SELECT RAISE(ABORT, 'trial_screenings is append-only'); END;
CREATE TRIGGER trial_screenings_no_delete BEFORE DELETE ON trial_screenings
BEGIN SELECT RAISE(ABORT, 'trial_screenings is append-only'); END;
CREATE TRIGGER trial_reveals_no_update BEFORE UPDATE ON trial_reveals
BEGIN SELECT RAISE(ABORT, 'trial_reveals is append-only'); END;
CREATE TRIGGER trial_reveals_no_delete BEFORE DELETE ON trial_reveals
BEGIN SELECT RAISE(ABORT, 'trial_reveals is append-only'); END;
CREATE TRIGGER trial_exports_no_update BEFORE UPDATE ON trial_exports
BEGIN SELECT RAISE(ABORT, 'trial_exports is append-only'); END;
CREATE TRIGGER trial_exports_no_delete BEFORE DELETE ON trial_exports
BEGIN SELECT RAISE(ABORT, 'trial_exports is append-only'); END;
