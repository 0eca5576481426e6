-- A per-user revocation value, written into tokens when `check_revoke_token` is on. It is
-- replaced whenever the password changes, which kills every token issued before. Random, never
-- derived from the password hash (SimpleJWT uses an MD5 of it).
ALTER TABLE users ADD COLUMN revoke_key TEXT NOT NULL DEFAULT '';
UPDATE users SET revoke_key = replace(gen_random_uuid()::text, '-', '');
