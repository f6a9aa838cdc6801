-- Row-level security is PostgreSQL's (see postgres/0015). The embedded
-- SQLite file serves one installation and relies on the Scope-typed
-- repositories' filters; nothing to change here.
SELECT 1;
