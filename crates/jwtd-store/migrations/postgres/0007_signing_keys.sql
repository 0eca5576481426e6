-- The signing-key set of an asymmetric deployment, shared by every instance on this database.
-- Private keys are sealed (AES-256-GCM) with a key-encryption key that is never stored here.
CREATE TABLE signing_keys (
    kid                TEXT PRIMARY KEY,
    algorithm          TEXT NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('next', 'current', 'retired')),
    origin             TEXT NOT NULL CHECK (origin IN ('generated', 'automatic', 'imported')),
    public_jwk         TEXT NOT NULL,
    sealed_private_key TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    activated_at       BIGINT,
    retired_at         BIGINT
);
-- One signing key at a time, and one automatic next key: two instances racing to bootstrap or
-- to prepare a rotation insert one row between them.
CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys (state) WHERE state = 'current';
CREATE UNIQUE INDEX signing_keys_one_automatic_next ON signing_keys (origin)
    WHERE state = 'next' AND origin = 'automatic';
