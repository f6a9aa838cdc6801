-- Running the programme: courses, internships within the law, their history,
-- progress conversations, the portfolio, psychologist notes and tasks.

-- The programme's rules as settings (LAB § 61 limits, caseload norms): a
-- change in the law or the team's norm is a change of configuration.
CREATE TABLE programme_rules (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    job_ready_weeks INTEGER NOT NULL DEFAULT 4 CHECK (job_ready_weeks > 0),
    activity_ready_weeks INTEGER NOT NULL DEFAULT 13 CHECK (activity_ready_weeks > 0),
    extended_weeks INTEGER NOT NULL DEFAULT 26 CHECK (extended_weeks > 0),
    block_weeks INTEGER NOT NULL DEFAULT 13 CHECK (block_weeks > 0),
    max_hours_per_week REAL NOT NULL DEFAULT 37 CHECK (max_hours_per_week > 0),
    caseload_first_year INTEGER NOT NULL DEFAULT 15,
    caseload_second_year INTEGER NOT NULL DEFAULT 20,
    caseload_later INTEGER NOT NULL DEFAULT 22,
    conversation_weeks INTEGER NOT NULL DEFAULT 6,
    no_contact_days INTEGER NOT NULL DEFAULT 14
) STRICT;
INSERT INTO programme_rules (id) VALUES (1);

-- A youth's course (forløb). `in_trial` = 0 marks a course outside the trial:
-- never part of the trial's analysis.
CREATE TABLE courses (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities(code),
    youth_id INTEGER NOT NULL REFERENCES youth(id),
    in_trial INTEGER NOT NULL CHECK (in_trial IN (0, 1)),
    trial_id INTEGER REFERENCES trials(id),
    readiness TEXT NOT NULL CHECK (readiness IN ('jobparat', 'aabenlyst_uddannelsesparat', 'uddannelsesparat', 'aktivitetsparat')),
    start_date TEXT NOT NULL,
    exit_date TEXT,
    exit_reason TEXT CHECK (exit_reason IS NULL OR exit_reason IN ('job', 'education', 'apprenticeship', 'wage_subsidy', 'other_help', 'moved', 'dropped_out', 'other')),
    exit_note TEXT,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX courses_one_open_per_youth ON courses(youth_id) WHERE exit_date IS NULL;
CREATE INDEX courses_by_municipality ON courses(municipality_code, exit_date);
CREATE INDEX courses_by_youth ON courses(youth_id);
-- The consultant's week and the team's caseload start from the consultant's youth.
CREATE INDEX youth_by_consultant ON youth(consultant_id);

-- Durability: still in job or education 3, 6 and 12 months after the exit?
CREATE TABLE follow_ups (
    id INTEGER PRIMARY KEY,
    course_id INTEGER NOT NULL REFERENCES courses(id),
    months INTEGER NOT NULL CHECK (months IN (3, 6, 12)),
    due_date TEXT NOT NULL,
    answer TEXT CHECK (answer IS NULL OR answer IN ('yes', 'no', 'unknown')),
    answered_by INTEGER REFERENCES users(id),
    answered_at INTEGER,
    UNIQUE (course_id, months)
) STRICT;

CREATE TABLE internships (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities(code),
    youth_id INTEGER NOT NULL REFERENCES youth(id),
    company_id INTEGER NOT NULL REFERENCES companies(id),
    contact_id INTEGER REFERENCES company_contacts(id),
    function TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    hours_per_week REAL NOT NULL,
    schedule TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('planned', 'active', 'completed', 'interrupted', 'converted')),
    ended_by TEXT CHECK (ended_by IS NULL OR ended_by IN ('youth', 'company')),
    converted_to TEXT CHECK (converted_to IS NULL OR converted_to IN ('job', 'wage_subsidy', 'apprenticeship', 'education')),
    status_reason TEXT,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX internships_by_youth ON internships(youth_id, start_date);
CREATE INDEX internships_by_company ON internships(company_id, status);
CREATE INDEX internships_by_municipality ON internships(municipality_code, status, end_date);

-- An internship's history, append-only: created, function changes (from a
-- date), extensions (new end, reason, who decided), status changes (with the
-- reason for an interruption), weekly check-in notes. `detail` is the new
-- function, end date or status, or the note; `previous` what it was before.
CREATE TABLE internship_events (
    id INTEGER PRIMARY KEY,
    internship_id INTEGER NOT NULL REFERENCES internships(id),
    kind TEXT NOT NULL CHECK (kind IN ('created', 'function', 'extension', 'status', 'check_in')),
    effective_date TEXT,
    detail TEXT NOT NULL,
    previous TEXT,
    reason TEXT,
    decided_by TEXT,
    recorded_by INTEGER NOT NULL REFERENCES users(id),
    recorded_at INTEGER NOT NULL
) STRICT;
CREATE INDEX internship_events_by_internship ON internship_events(internship_id, id);
CREATE TRIGGER internship_events_no_update BEFORE UPDATE ON internship_events
BEGIN SELECT RAISE(ABORT, 'internship_events is append-only'); END;
CREATE TRIGGER internship_events_no_delete BEFORE DELETE ON internship_events
BEGIN SELECT RAISE(ABORT, 'internship_events is append-only'); END;

-- The 6-week progress conversation: the youth and the consultant each score
-- five measures 1-5, with a short note.
CREATE TABLE progress_scores (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities(code),
    youth_id INTEGER NOT NULL REFERENCES youth(id),
    held_on TEXT NOT NULL,
    side TEXT NOT NULL CHECK (side IN ('youth', 'consultant')),
    direction INTEGER NOT NULL CHECK (direction BETWEEN 1 AND 5),
    persistence INTEGER NOT NULL CHECK (persistence BETWEEN 1 AND 5),
    curiosity INTEGER NOT NULL CHECK (curiosity BETWEEN 1 AND 5),
    resilience INTEGER NOT NULL CHECK (resilience BETWEEN 1 AND 5),
    self_esteem INTEGER NOT NULL CHECK (self_esteem BETWEEN 1 AND 5),
    note TEXT NOT NULL DEFAULT '',
    recorded_by INTEGER NOT NULL REFERENCES users(id),
    recorded_at INTEGER NOT NULL,
    UNIQUE (youth_id, held_on, side)
) STRICT;

-- The work-identity portfolio beyond interests and strengths: skills learned,
-- experiences, and references written by company contacts.
CREATE TABLE portfolio_entries (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities(code),
    youth_id INTEGER NOT NULL REFERENCES youth(id),
    kind TEXT NOT NULL CHECK (kind IN ('skill', 'experience', 'reference')),
    text TEXT NOT NULL,
    company_id INTEGER REFERENCES companies(id),
    written_by INTEGER NOT NULL REFERENCES users(id),
    written_at INTEGER NOT NULL
) STRICT;
CREATE INDEX portfolio_entries_by_youth ON portfolio_entries(youth_id, kind);

-- A separate record for psychologists only, append-only.
CREATE TABLE psychologist_notes (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities(code),
    youth_id INTEGER NOT NULL REFERENCES youth(id),
    note TEXT NOT NULL,
    written_by INTEGER NOT NULL REFERENCES users(id),
    written_at INTEGER NOT NULL
) STRICT;
CREATE INDEX psychologist_notes_by_youth ON psychologist_notes(youth_id, id);
CREATE TRIGGER psychologist_notes_no_update BEFORE UPDATE ON psychologist_notes
BEGIN SELECT RAISE(ABORT, 'psychologist_notes is append-only'); END;
CREATE TRIGGER psychologist_notes_no_delete BEFORE DELETE ON psychologist_notes
BEGIN SELECT RAISE(ABORT, 'psychologist_notes is append-only'); END;

-- Things someone must do: follow up an internship the youth ended, and so on.
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities(code),
    youth_id INTEGER NOT NULL REFERENCES youth(id),
    assignee_id INTEGER REFERENCES users(id),
    kind TEXT NOT NULL CHECK (kind IN ('internship_ended_by_youth')),
    internship_id INTEGER REFERENCES internships(id),
    due_date TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    done_at INTEGER,
    done_by INTEGER REFERENCES users(id)
) STRICT;
CREATE INDEX tasks_open ON tasks(municipality_code, done_at, due_date);
