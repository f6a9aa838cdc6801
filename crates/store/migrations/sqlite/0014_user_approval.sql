-- A municipal account an administrator makes on the web waits for the
-- approval of that municipality's team lead before it can log in (two
-- people, so an administrator cannot give themselves a municipality's
-- personal data alone). NULL: approved (every account made before this).
ALTER TABLE users ADD COLUMN awaiting_approval_since INTEGER;
