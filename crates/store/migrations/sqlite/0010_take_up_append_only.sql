-- Take-up of the offer is evidence (the analysis's compliance): once
-- recorded it is neither changed nor removed.
CREATE TRIGGER trial_take_up_no_update BEFORE UPDATE ON trial_take_up
BEGIN SELECT RAISE(ABORT, 'trial_take_up is append-only'); END;
CREATE TRIGGER trial_take_up_no_delete BEFORE DELETE ON trial_take_up
BEGIN SELECT RAISE(ABORT, 'trial_take_up is append-only'); END;
