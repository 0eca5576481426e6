-- Users, as Django's auth_user keeps them (password in Django's encoded form).
CREATE TABLE users (
    id          INTEGER PRIMARY KEY AUTOINCREMENT, -- AUTOINCREMENT: ids of deleted users are never reused
    username    TEXT    NOT NULL UNIQUE,
    email       TEXT    NOT NULL DEFAULT '',
    email_key   TEXT    NOT NULL DEFAULT '',       -- lower-cased email: login by email ignores case
    password    TEXT    NOT NULL,
    is_active   INTEGER NOT NULL DEFAULT 1,
    roles       TEXT    NOT NULL DEFAULT '[]',     -- JSON list of role names
    last_login  INTEGER,                           -- epoch seconds
    date_joined INTEGER NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (email_key) WHERE email_key <> '';

-- Every refresh token jwtd issued or was shown (SimpleJWT's OutstandingToken + BlacklistedToken).
CREATE TABLE refresh_tokens (
    jti            TEXT    PRIMARY KEY,
    user_id        INTEGER,
    family         TEXT    NOT NULL,  -- jti of the login's first refresh token
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    rotated_at     INTEGER,           -- set once, by the one refresh that rotated it
    replaced_by    TEXT,              -- the successor's jti
    blacklisted_at INTEGER
);
CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);
CREATE INDEX refresh_tokens_user_id ON refresh_tokens (user_id);
