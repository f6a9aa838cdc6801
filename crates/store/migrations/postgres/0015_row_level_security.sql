-- Row-level security: the database itself keeps each municipality's
-- personal data apart, under the Scope-typed repositories' own filters, so
-- that a query that forgot its tenant filter still reaches no other
-- municipality's rows. Each transaction names its municipality with
-- `SET LOCAL spire.municipality = '<code>'` (from the Scope), or 'all' for
-- work that is cross-municipal by its nature (aggregates for the programme
-- office, the trial's look-ups, migrations); a connection that set nothing
-- reaches no personal row. FORCE applies the policies to the tables' owner
-- too; the application must connect as a role without SUPERUSER or
-- BYPASSRLS (Db::connect refuses one).

CREATE FUNCTION spire_rows_of(code BIGINT) RETURNS BOOLEAN
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce(current_setting('spire.municipality', true), '') IN ('all', code::text) $$;

-- Each personal table and which of its rows a transaction reaches: its
-- municipality's; for rows about a youth, a course or an internship, those
-- whose youth, course or internship it reaches (that table's own policy
-- applies inside the look-up); for a company's contact persons, those of
-- the company's municipality. An agenda item no youth proposed is the
-- group's, not personal.
DO $$
DECLARE pair TEXT[];
BEGIN
    FOREACH pair SLICE 1 IN ARRAY ARRAY[
        ['youth', 'spire_rows_of(municipality_code)'],
        ['courses', 'spire_rows_of(municipality_code)'],
        ['internships', 'spire_rows_of(municipality_code)'],
        ['progress_scores', 'spire_rows_of(municipality_code)'],
        ['portfolio_entries', 'spire_rows_of(municipality_code)'],
        ['psychologist_notes', 'spire_rows_of(municipality_code)'],
        ['tasks', 'spire_rows_of(municipality_code)'],
        ['company_contact_log', 'spire_rows_of(municipality_code)'],
        ['trial_baselines', 'spire_rows_of(municipality_code)'],
        ['group_members', 'EXISTS (SELECT 1 FROM youth WHERE youth.id = group_members.youth_id)'],
        ['attendance', 'EXISTS (SELECT 1 FROM youth WHERE youth.id = attendance.youth_id)'],
        ['agenda_moves', 'EXISTS (SELECT 1 FROM youth WHERE youth.id = agenda_moves.youth_id)'],
        ['event_youth', 'EXISTS (SELECT 1 FROM youth WHERE youth.id = event_youth.youth_id)'],
        ['event_grid', 'EXISTS (SELECT 1 FROM youth WHERE youth.id = event_grid.youth_id)'],
        ['event_rankings', 'EXISTS (SELECT 1 FROM youth WHERE youth.id = event_rankings.youth_id)'],
        ['event_welcomes', 'EXISTS (SELECT 1 FROM youth WHERE youth.id = event_welcomes.youth_id)'],
        ['event_calls', 'EXISTS (SELECT 1 FROM youth WHERE youth.id = event_calls.youth_id)'],
        ['match_results', 'EXISTS (SELECT 1 FROM youth WHERE youth.id = match_results.youth_id)'],
        ['agenda_items', 'agenda_items.youth_id IS NULL OR EXISTS (SELECT 1 FROM youth WHERE youth.id = agenda_items.youth_id)'],
        ['follow_ups', 'EXISTS (SELECT 1 FROM courses WHERE courses.id = follow_ups.course_id)'],
        ['internship_events', 'EXISTS (SELECT 1 FROM internships WHERE internships.id = internship_events.internship_id)'],
        ['company_contacts', 'EXISTS (SELECT 1 FROM companies WHERE companies.id = company_contacts.company_id AND spire_rows_of(companies.municipality_code))']
    ] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', pair[1]);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', pair[1]);
        EXECUTE format('CREATE POLICY %I ON %I USING (%s)', pair[1] || '_of_municipality', pair[1], pair[2]);
    END LOOP;
END $$;

-- The access log: anyone may add a row (a use is logged wherever it
-- happened, a look-up in two municipalities included); reading and the
-- retention purge reach only the municipality's own rows. A change reaches
-- them too, so that the append-only trigger refuses it out loud rather
-- than the change quietly finding no row.
ALTER TABLE access_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_log FORCE ROW LEVEL SECURITY;
CREATE POLICY access_log_written_by_anyone ON access_log FOR INSERT WITH CHECK (true);
CREATE POLICY access_log_read_of_municipality ON access_log FOR SELECT USING (spire_rows_of(municipality_code));
CREATE POLICY access_log_purged_of_municipality ON access_log FOR DELETE USING (spire_rows_of(municipality_code));
CREATE POLICY access_log_refused_by_trigger ON access_log FOR UPDATE USING (spire_rows_of(municipality_code));
