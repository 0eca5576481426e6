-- Sessions: one per login, i.e. per refresh-token family, with where the login came from. A
-- session is live while its family has a refresh token neither rotated, blacklisted nor
-- expired; revoking it blacklists the family.
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    family       TEXT   NOT NULL UNIQUE, -- refresh_tokens.family
    user_id      BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,        -- the last refresh (to the minute without rotation)
    ip           TEXT   NOT NULL,
    user_agent   TEXT   NOT NULL         -- truncated to 256 characters
);
CREATE INDEX sessions_user_id ON sessions (user_id);

-- API keys for machines calling the admin API. Only a SHA-256 of the key is kept: keys are 256
-- random bits, so a fast hash is enough, and the hash is what a request is looked up by.
CREATE TABLE api_keys (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT   NOT NULL UNIQUE,
    prefix     TEXT   NOT NULL,        -- the key's first characters, to recognise it in lists
    key_hash   TEXT   NOT NULL UNIQUE, -- lower-case hex SHA-256 of the whole key
    read_only  INTEGER NOT NULL,
    created_at BIGINT NOT NULL
);

-- Admin actions and security events. Never holds a password or a key: actors are named
-- ("user:42", "api-key:deploy-bot", "cli", "jwtd").
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          BIGINT NOT NULL,
    action      TEXT   NOT NULL,
    actor       TEXT   NOT NULL,
    actor_user  BIGINT,              -- the acting user's id, when a user acted
    target_user BIGINT,              -- the user acted upon
    detail      TEXT   NOT NULL,     -- a JSON object
    ip          TEXT,
    request_id  TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_target_user ON audit_log (target_user);
CREATE INDEX audit_log_actor_user ON audit_log (actor_user);
