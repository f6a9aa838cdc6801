-- Onboarding a new municipality: the programme office's one-year plan,
-- started from a template the office can edit.

-- The template: one line per milestone, in order, with its quarter of the
-- first year and who usually owns it.
CREATE TABLE onboarding_template (
    position INTEGER PRIMARY KEY,
    quarter INTEGER NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    title TEXT NOT NULL,
    owner TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO onboarding_template (position, quarter, title, owner) VALUES
    (1, 1, 'Afklaring af gensidig interesse', 'Programkontoret'),
    (2, 1, 'Underskrevet samarbejdsaftale', 'Kommunen'),
    (3, 2, 'Møde i styregruppen', 'Programkontoret'),
    (4, 2, 'Information til kommunens medarbejdere', 'Kommunen'),
    (5, 2, 'Ansættelse af de første medarbejdere', 'Kommunen'),
    (6, 3, 'Oplæring af medarbejderne', 'Programkontoret'),
    (7, 3, 'Visitation af unge', 'Kommunen'),
    (8, 3, 'Det første ungenetværk', 'Teamet'),
    (9, 3, 'Det første event', 'Teamet'),
    (10, 4, 'Møde i styregruppen', 'Programkontoret'),
    (11, 4, 'Tværkommunalt todages-seminar', 'Programkontoret');

-- One plan per municipality, from its start date (the first year's quarters
-- count from it).
CREATE TABLE onboarding_plans (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL UNIQUE REFERENCES municipalities(code),
    start_date TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE onboarding_items (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES onboarding_plans(id),
    position INTEGER NOT NULL,
    quarter INTEGER NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    title TEXT NOT NULL,
    owner TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'doing', 'done')),
    notes TEXT NOT NULL DEFAULT '',
    updated_by INTEGER REFERENCES users(id),
    updated_at INTEGER
) STRICT;
CREATE INDEX onboarding_items_by_plan ON onboarding_items(plan_id, position);
