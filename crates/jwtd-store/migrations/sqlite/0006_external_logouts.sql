-- "Log out everywhere" for users jwtd does not hold itself: a live Django site's, in the
-- Django-database mode (their rows live in the site's database, which jwtd never alters).
-- jwtd's own users keep theirs in users.logged_out_at.
CREATE TABLE external_logouts (
    user_id       BIGINT PRIMARY KEY,
    logged_out_at BIGINT NOT NULL
);
