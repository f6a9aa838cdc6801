-- The trial's public transparency log (crates/trial/README.md, "The public log").
-- Every head is also signed as a C2SP checkpoint; heads signed before this
-- migration have none. Trials opened from now on are log version 2: their
-- commitment also binds the head-signing public key.
ALTER TABLE trial_heads ADD COLUMN checkpoint_signature BLOB;
ALTER TABLE trials ADD COLUMN log_version INTEGER NOT NULL DEFAULT 1;

-- Witnesses' cosignatures (C2SP tlog-cosignature) of the trial's checkpoints,
-- each checked against the stored head before it is kept. Evidence: append-only.
CREATE TABLE trial_cosignatures (
    trial_id INTEGER NOT NULL REFERENCES trials(id),
    tree_size INTEGER NOT NULL,
    -- The witness's verifier key (name+id+key), as the note names it.
    witness_key TEXT NOT NULL,
    cosigned_at INTEGER NOT NULL,
    signature BLOB NOT NULL,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (trial_id, tree_size, witness_key),
    FOREIGN KEY (trial_id, tree_size) REFERENCES trial_heads(trial_id, tree_size)
) STRICT;
CREATE TRIGGER trial_cosignatures_no_update BEFORE UPDATE ON trial_cosignatures
BEGIN SELECT RAISE(ABORT, 'trial_cosignatures is append-only'); END;
CREATE TRIGGER trial_cosignatures_no_delete BEFORE DELETE ON trial_cosignatures
BEGIN SELECT RAISE(ABORT, 'trial_cosignatures is append-only'); END;
