-- The programme's age band (a setting, `spire rules set --ages`): a young
-- person registered outside it is refused with the reason. Under 30 is the
-- municipalities' youth effort; 15 the youngest it takes.
ALTER TABLE programme_rules ADD COLUMN min_age BIGINT NOT NULL DEFAULT 15;
ALTER TABLE programme_rules ADD COLUMN max_age BIGINT NOT NULL DEFAULT 29;
