-- An administrator can deactivate an account (someone who left): it can no
-- longer log in, its sessions and API tokens end, and it is offered nowhere
-- as a consultant or facilitator. The row stays, so the logs keep naming
-- who did what.
ALTER TABLE users ADD COLUMN deactivated_at BIGINT;
