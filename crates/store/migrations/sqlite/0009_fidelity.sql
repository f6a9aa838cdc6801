-- Fidelity: the scale as data (each version's text, never changed once
-- published), reviews of a municipality's half-year with the computed items
-- frozen when the review is made, each reviewer's own scores, and the
-- reconciliations of their disagreements (append-only).

CREATE TABLE fidelity_scales (
    version INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    published_by INTEGER REFERENCES users(id),
    published_at INTEGER NOT NULL
) STRICT;

CREATE TABLE fidelity_reviews (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities(code),
    period TEXT NOT NULL,
    scale_version INTEGER NOT NULL REFERENCES fidelity_scales(version),
    reviewer_a INTEGER NOT NULL REFERENCES users(id),
    reviewer_b INTEGER NOT NULL REFERENCES users(id),
    due_date TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    CHECK (reviewer_a <> reviewer_b),
    UNIQUE (municipality_code, period)
) STRICT;

-- A computed item's value and score; value NULL when it could not be
-- computed (`reason`: withheld to protect small counts, or missing).
CREATE TABLE fidelity_measured (
    review_id INTEGER NOT NULL REFERENCES fidelity_reviews(id),
    item_code TEXT NOT NULL,
    value REAL,
    score INTEGER CHECK (score BETWEEN 1 AND 5),
    reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (review_id, item_code)
) STRICT;

-- One reviewer's score of one item, submitted once with all their others.
CREATE TABLE fidelity_ratings (
    review_id INTEGER NOT NULL REFERENCES fidelity_reviews(id),
    item_code TEXT NOT NULL,
    reviewer_id INTEGER NOT NULL REFERENCES users(id),
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    evidence TEXT NOT NULL,
    submitted_at INTEGER NOT NULL,
    PRIMARY KEY (review_id, item_code, reviewer_id)
) STRICT;

CREATE TABLE fidelity_reconciliations (
    id INTEGER PRIMARY KEY,
    review_id INTEGER NOT NULL REFERENCES fidelity_reviews(id),
    item_code TEXT NOT NULL,
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    reason TEXT NOT NULL,
    decided_by INTEGER NOT NULL REFERENCES users(id),
    decided_at INTEGER NOT NULL
) STRICT;
CREATE INDEX fidelity_reconciliations_by_review ON fidelity_reconciliations(review_id, item_code, id);

CREATE TRIGGER fidelity_reconciliations_append_only_update BEFORE UPDATE ON fidelity_reconciliations
BEGIN SELECT RAISE(ABORT, 'fidelity reconciliations are append-only'); END;
CREATE TRIGGER fidelity_reconciliations_append_only_delete BEFORE DELETE ON fidelity_reconciliations
BEGIN SELECT RAISE(ABORT, 'fidelity reconciliations are append-only'); END;
CREATE TRIGGER fidelity_ratings_final BEFORE UPDATE ON fidelity_ratings
BEGIN SELECT RAISE(ABORT, 'a submitted fidelity score is final'); END;
