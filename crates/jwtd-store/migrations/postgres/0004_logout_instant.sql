-- "Log out everywhere" keeps its instant in epoch microseconds (NULL: never), not a whole
-- second, so a token issued in the same second as the logout is told apart: refused if issued
-- before it, allowed if recorded in issued_after_logout. An old `revoked_before = R` refused
-- iat < R; `R * 1000000 - 1` refuses the same tokens.
ALTER TABLE users ADD COLUMN logged_out_at BIGINT;
UPDATE users SET logged_out_at = revoked_before * 1000000 - 1 WHERE revoked_before > 0;
ALTER TABLE users DROP COLUMN revoked_before;

-- Tokens issued in the second of a user's last "log out everywhere" but after it (their `iat`
-- alone cannot tell). Rows of an earlier logout are deleted by the next one.
CREATE TABLE issued_after_logout (
    jti        TEXT   PRIMARY KEY,
    user_id    BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX issued_after_logout_user_id ON issued_after_logout (user_id);
