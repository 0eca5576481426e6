-- The Django password hash a user was last imported with (`jwtd import django`), so a second
-- import can tell a password changed in Django (re-imported) from one jwtd re-hashed or the
-- user changed since (kept). NULL: not imported.
ALTER TABLE users ADD COLUMN imported_password TEXT;
