-- "Log out everywhere": tokens issued (iat) before this epoch second are refused.
ALTER TABLE users ADD COLUMN revoked_before BIGINT NOT NULL DEFAULT 0;

-- Failed-login counters for brute-force protection, per account and per client IP. The key is
-- a hash ("account:<sha256>" / "ip:<address>"), so no attempted login name is stored.
CREATE TABLE login_failures (
    key             TEXT   PRIMARY KEY,
    failures        BIGINT NOT NULL,  -- attempts since the last success or quiet window
    lock_secs       BIGINT NOT NULL,  -- the current back-off step (doubles per failure past the limit)
    locked_until    BIGINT NOT NULL,  -- epoch second before which attempts get 429
    last_failure_at BIGINT NOT NULL
);
