-- Two-factor log-in (TOTP, RFC 6238) for staff. The shared secret is stored
-- encrypted under the server key; it is in use once `totp_enabled_at` is set.
-- `totp_last_step` refuses a code seen before (replay).
ALTER TABLE users ADD COLUMN totp_secret BLOB;
ALTER TABLE users ADD COLUMN totp_enabled_at INTEGER;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
-- A session after the password but before the code reaches nothing but the code page.
ALTER TABLE sessions ADD COLUMN second_factor_pending INTEGER NOT NULL DEFAULT 0;
