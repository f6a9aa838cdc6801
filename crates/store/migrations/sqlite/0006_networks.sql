-- The networks: the weekly youth network with its youth-owned agenda and
-- attendance, the company network with its slots, meetings and contact log,
-- and the secret feed addresses of calendar subscriptions.

-- A youth network group (ungenetværk): 6-8 youth and a facilitator, meeting
-- weekly at a time on the wall clock in Copenhagen.
CREATE TABLE youth_groups (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities(code),
    name TEXT NOT NULL,
    facilitator_id INTEGER REFERENCES users(id),
    place TEXT NOT NULL DEFAULT '',
    start_time TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 15 AND 480),
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    UNIQUE (municipality_code, name)
) STRICT;

-- Who is in a group, from when to when. One group at a time per youth.
CREATE TABLE group_members (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES youth_groups(id),
    youth_id INTEGER NOT NULL REFERENCES youth(id),
    joined_on TEXT NOT NULL,
    left_on TEXT,
    recorded_by INTEGER NOT NULL REFERENCES users(id),
    recorded_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX group_members_one_open ON group_members(youth_id) WHERE left_on IS NULL;
CREATE INDEX group_members_by_group ON group_members(group_id, left_on);

-- One meeting. A move keeps the date it was moved from and the reason; a
-- cancelled meeting stays (calendars must learn it is cancelled). `sequence`
-- counts the changes, for the calendar feeds.
CREATE TABLE group_meetings (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities(code),
    group_id INTEGER NOT NULL REFERENCES youth_groups(id),
    date TEXT NOT NULL,
    start_time TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 15 AND 480),
    place TEXT NOT NULL DEFAULT '',
    cancelled INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)),
    moved_from TEXT,
    change_reason TEXT,
    sequence INTEGER NOT NULL DEFAULT 0,
    notes TEXT NOT NULL DEFAULT '',
    notes_by INTEGER REFERENCES users(id),
    notes_at INTEGER,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX group_meetings_by_group ON group_meetings(group_id, date);
CREATE INDEX group_meetings_by_municipality ON group_meetings(municipality_code, date);

-- The agenda: proposed by youth (youth_id set) or added by the facilitator
-- (youth_id empty), in the order the group set.
CREATE TABLE agenda_items (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES group_meetings(id),
    text TEXT NOT NULL,
    proposed_by INTEGER NOT NULL REFERENCES users(id),
    youth_id INTEGER REFERENCES youth(id),
    position INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX agenda_items_by_meeting ON agenda_items(meeting_id, position);

-- Each youth moves one item up once per meeting: the key enforces "once".
CREATE TABLE agenda_moves (
    meeting_id INTEGER NOT NULL REFERENCES group_meetings(id),
    youth_id INTEGER NOT NULL REFERENCES youth(id),
    item_id INTEGER NOT NULL REFERENCES agenda_items(id),
    moved_at INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, youth_id)
) STRICT;

CREATE TABLE attendance (
    meeting_id INTEGER NOT NULL REFERENCES group_meetings(id),
    youth_id INTEGER NOT NULL REFERENCES youth(id),
    mark TEXT NOT NULL CHECK (mark IN ('present', 'absent_reason', 'absent_no_notice')),
    reason TEXT,
    recorded_by INTEGER NOT NULL REFERENCES users(id),
    recorded_at INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, youth_id)
) STRICT;
CREATE INDEX attendance_by_youth ON attendance(youth_id);

-- The company network of a municipality: who is a member, from when.
CREATE TABLE network_members (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities(code),
    company_id INTEGER NOT NULL REFERENCES companies(id),
    joined_on TEXT NOT NULL,
    left_on TEXT,
    recorded_by INTEGER NOT NULL REFERENCES users(id),
    recorded_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX network_members_one_open ON network_members(company_id) WHERE left_on IS NULL;
CREATE INDEX network_members_by_municipality ON network_members(municipality_code, left_on);

-- The internship places a company offers: function, how many, when.
CREATE TABLE internship_slots (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities(code),
    company_id INTEGER NOT NULL REFERENCES companies(id),
    function TEXT NOT NULL,
    places INTEGER NOT NULL CHECK (places BETWEEN 1 AND 50),
    from_date TEXT NOT NULL,
    to_date TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX internship_slots_by_company ON internship_slots(company_id, to_date);

CREATE TABLE network_meetings (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities(code),
    date TEXT NOT NULL,
    start_time TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 15 AND 480),
    place TEXT NOT NULL DEFAULT '',
    topic TEXT NOT NULL,
    cancelled INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)),
    change_reason TEXT,
    sequence INTEGER NOT NULL DEFAULT 0,
    notes TEXT NOT NULL DEFAULT '',
    notes_by INTEGER REFERENCES users(id),
    notes_at INTEGER,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX network_meetings_by_municipality ON network_meetings(municipality_code, date);

-- A company contact signs up; afterwards staff mark who came.
CREATE TABLE network_signups (
    meeting_id INTEGER NOT NULL REFERENCES network_meetings(id),
    contact_id INTEGER NOT NULL REFERENCES company_contacts(id),
    signed_up_at INTEGER NOT NULL,
    attended INTEGER CHECK (attended IS NULL OR attended IN (0, 1)),
    PRIMARY KEY (meeting_id, contact_id)
) STRICT;

-- Every contact with a company: visit, phone call, e-mail; who, when, what
-- was agreed. Append-only: a correction is a new line.
CREATE TABLE company_contact_log (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities(code),
    company_id INTEGER NOT NULL REFERENCES companies(id),
    kind TEXT NOT NULL CHECK (kind IN ('visit', 'phone', 'email', 'meeting')),
    contact_id INTEGER REFERENCES company_contacts(id),
    happened_on TEXT NOT NULL,
    summary TEXT NOT NULL,
    recorded_by INTEGER NOT NULL REFERENCES users(id),
    recorded_at INTEGER NOT NULL
) STRICT;
CREATE INDEX company_contact_log_by_company ON company_contact_log(company_id, happened_on);
CREATE TRIGGER company_contact_log_no_update BEFORE UPDATE ON company_contact_log
BEGIN SELECT RAISE(ABORT, 'company_contact_log is append-only'); END;
CREATE TRIGGER company_contact_log_no_delete BEFORE DELETE ON company_contact_log
BEGIN SELECT RAISE(ABORT, 'company_contact_log is append-only'); END;

-- A secret calendar address per person and calendar: looked up by the
-- SHA-256 of its token; the token itself is kept sealed (server key) so the
-- owner can copy the address again. Revoking one ends it for good.
CREATE TABLE calendar_feeds (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    token_sealed BLOB NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL CHECK (kind IN ('own', 'group', 'company_network')),
    subject_id INTEGER,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;
CREATE INDEX calendar_feeds_by_user ON calendar_feeds(user_id);

-- Tasks learn a second kind: three absences without notice in a row.
CREATE TABLE tasks_new (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities(code),
    youth_id INTEGER NOT NULL REFERENCES youth(id),
    assignee_id INTEGER REFERENCES users(id),
    kind TEXT NOT NULL CHECK (kind IN ('internship_ended_by_youth', 'network_absences')),
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
