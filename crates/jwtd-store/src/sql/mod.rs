//! The SQL both backends share, one file per capability.
//!
//! Why one SQL body serves both dialects: every statement here is in the subset SQLite and
//! PostgreSQL parse alike — `$n` parameters, `ON CONFLICT … DO NOTHING`, `RETURNING`, `CASE`,
//! sub-selects — and every column has a type both drivers decode to the same Rust type
//! (`BIGINT`/`INTEGER` → `i64`, `BOOLEAN`/`INTEGER` → `bool`, `TEXT` → `String`). What differs
//! lives beside each backend: opening the pools, how a write transaction begins (`BEGIN
//! IMMEDIATE` on SQLite), and the migrations (one folder per dialect).
//!
//! sqlx's functions are generic over the database, but generic store code needs a dozen trait
//! bounds on every function; instead each capability's file has a macro that stamps the same
//! code out for a backend type, so each backend's `impl` is plain, monomorphic sqlx code. A
//! backend type has `reader` and `writer` pools, the inherent methods `write_tx()`, `pools()`,
//! `rotate_durably()` (how a rotation is committed: alone, or in a group on SQLite) and
//! `token_state_in_place()` (a token's state read on the calling thread, when the backend
//! can: SQLite), and a `MIGRATOR`.

#[macro_use]
mod users;
#[macro_use]
mod tokens;
#[macro_use]
mod throttle;
#[macro_use]
mod health;
#[macro_use]
pub(crate) mod import;
#[macro_use]
pub(crate) mod keys;
#[macro_use]
mod sessions;
#[macro_use]
mod api_keys;
#[macro_use]
mod audit;

pub(crate) use users::{UserRow, user_conflict};

/// A refresh token's state by jti (`TokenState`'s columns, in order).
pub(crate) const TOKEN_STATE: &str =
    "SELECT family, user_id, rotated_at, blacklisted_at FROM refresh_tokens WHERE jti = $1";

/// Implements every capability of [`Store`](crate::Store) for `$store` on database `$db`.
macro_rules! sql_store {
    ($store:ident, $db:ty) => {
        users_sql!($store, $db);
        tokens_sql!($store, $db);
        throttle_sql!($store);
        health_sql!($store);
        import_sql!($store, $db);
        keys_sql!($store);
        sessions_sql!($store);
        api_keys_sql!($store);
        audit_sql!($store);
    };
}

/// `text` with LIKE's wildcards escaped (`ESCAPE '\'`), to match literally.
pub(crate) fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
