-- Take-up of the offer is evidence (the analysis's compliance): once
-- recorded it is neither changed nor removed.
CREATE TRIGGER trial_take_up_append_only BEFORE UPDATE OR DELETE ON trial_take_up
    FOR EACH ROW EXECUTE FUNCTION trial_append_only();
