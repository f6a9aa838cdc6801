-- API tokens end: each has an expiry (tokens made before this, 90 days after
-- they were made), can be revoked, and records when it was last used. A
-- token made on the web keeps its form's one-time value, so a reload of the
-- form makes no second token.
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0;
UPDATE api_tokens SET expires_at = created_at + 90 * 86400;
ALTER TABLE api_tokens ADD COLUMN revoked_at INTEGER;
ALTER TABLE api_tokens ADD COLUMN last_used_at INTEGER;
ALTER TABLE api_tokens ADD COLUMN form_nonce TEXT;
CREATE UNIQUE INDEX api_tokens_by_form ON api_tokens(user_id, form_nonce);
