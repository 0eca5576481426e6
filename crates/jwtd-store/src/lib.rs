//! jwtd-store: users, refresh tokens and the blacklist behind one [`Store`] trait.
//!
//! Two backends share one SQL implementation ([`sql`]): SQLite in WAL mode, the embedded
//! default ([`sqlite::SqliteStore`]), and PostgreSQL for several jwtd instances behind a load
//! balancer ([`postgres::PgStore`]). Times are epoch seconds (`i64`) supplied by the caller, so
//! every backend stores the same thing and tests can control the clock. Schema changes are
//! versioned migrations, one folder per dialect, embedded in the binary and applied by [`open`].

#[macro_use]
mod sql;
pub mod postgres;
pub mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

/// A user as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub email: String,
    /// Django-encoded hash (`argon2$…`, `pbkdf2_sha256$…`) or an unusable `!…` value.
    pub password: String,
    pub is_active: bool,
    pub roles: Vec<String>,
    pub last_login: Option<i64>,
    pub date_joined: i64,
    /// Random value tokens carry under `check_revoke_token`; replaced with the password.
    pub revoke_key: String,
    /// "Log out everywhere": tokens issued before this epoch second are refused.
    pub revoked_before: i64,
}

#[derive(Clone, Debug)]
pub struct NewUser {
    pub username: String,
    pub email: String,
    pub password: String,
    pub is_active: bool,
    pub roles: Vec<String>,
}

/// A refresh token as the store tracks it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshToken {
    pub jti: String,
    pub user_id: Option<i64>,
    /// The jti of the first token of the login this one descends from.
    pub family: String,
    pub expires_at: i64,
}

/// What the store knows about a refresh token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenState {
    pub family: String,
    pub rotated_at: Option<i64>,
    pub blacklisted_at: Option<i64>,
}

/// Brute-force back-off for one counter (an account or a client IP).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures allowed before back-off starts.
    pub free_failures: i64,
    /// The first wait; each further failure doubles it ...
    pub base_delay: i64,
    /// ... up to this.
    pub max_delay: i64,
    /// Failures older than this (seconds) are forgotten.
    pub window: i64,
}

/// The verdict on a login attempt, before the password is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// Go ahead; the attempt already counts as a failure until it succeeds.
    Allowed,
    /// Backing off: try again in this many seconds.
    Blocked { retry_after: i64 },
}

/// What happened to a rotation attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rotation {
    /// This call rotated the token; its successor is recorded.
    Rotated,
    /// The token was already rotated or blacklisted; nothing changed.
    AlreadyUsed,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("username {0:?} is already taken")]
    UsernameTaken(String),
    #[error("email {0:?} is already used by another user")]
    EmailTaken(String),
    #[error("unsupported database URL {0:?} (expected sqlite://PATH or postgres://…)")]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// Whether waiting may fix it: the database is unreachable or out of connections, as
    /// opposed to a bad URL, a failed migration or a constraint.
    pub fn is_transient(&self) -> bool {
        match self {
            StoreError::Database(e) => {
                matches!(
                    e,
                    sqlx::Error::Io(_)
                        | sqlx::Error::Tls(_)
                        | sqlx::Error::PoolTimedOut
                        | sqlx::Error::PoolClosed
                        | sqlx::Error::WorkerCrashed
                ) || e
                    .as_database_error()
                    .and_then(|d| d.code())
                    // PostgreSQL: the server is starting up or shutting down (class 57P).
                    .is_some_and(|code| code.starts_with("57P"))
            }
            _ => false,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Answers when the database does.
    async fn ping(&self) -> Result<()>;
    /// Connections (in use, idle) across the store's pools.
    fn pool_stats(&self) -> (u32, u32);
    /// Whether every migration this binary carries is applied.
    async fn schema_current(&self) -> Result<bool>;
    /// Waits for open connections to finish and closes them.
    async fn close(&self);

    async fn create_user(&self, user: NewUser, now: i64) -> Result<User>;
    async fn user_by_id(&self, id: i64) -> Result<Option<User>>;
    async fn user_by_username(&self, username: &str) -> Result<Option<User>>;
    /// Case-insensitive.
    async fn user_by_email(&self, email: &str) -> Result<Option<User>>;
    async fn list_users(&self) -> Result<Vec<User>>;
    /// Sets a new password and a new revocation value, so tokens issued under the old password
    /// die under `check_revoke_token`. Returns false when no such user exists (same for the
    /// setters below).
    async fn set_password(&self, id: i64, password: &str) -> Result<bool>;
    /// Replaces the hash of an unchanged password by a stronger one (re-hash on login): only
    /// while the stored hash is still `old`, and without touching the revocation value.
    async fn upgrade_password_hash(&self, id: i64, old: &str, new: &str) -> Result<bool>;
    async fn set_active(&self, id: i64, active: bool) -> Result<bool>;
    async fn delete_user(&self, id: i64) -> Result<bool>;
    async fn record_login(&self, id: i64, now: i64) -> Result<()>;

    /// Records a refresh token issued at login (SimpleJWT's `outstand`).
    async fn add_refresh_token(&self, token: &RefreshToken, now: i64) -> Result<()>;
    async fn is_blacklisted(&self, jti: &str) -> Result<bool>;
    /// The token's row, if jwtd has seen it.
    async fn token_state(&self, jti: &str) -> Result<Option<TokenState>>;
    /// Blacklists every token of a login's family (reuse detection); returns how many.
    async fn revoke_family(&self, family: &str, now: i64) -> Result<u64>;
    /// "Log out everywhere": refuses the user's tokens issued before `now`, blacklists their
    /// refresh tokens and replaces the revocation value. False when no such user exists.
    async fn revoke_user_tokens(&self, user_id: i64, now: i64) -> Result<bool>;
    /// Blacklists a token, recording it first if jwtd never saw it. False when it already was.
    async fn blacklist(&self, token: &RefreshToken, now: i64) -> Result<bool>;
    /// Deletes at most `batch` refresh-token rows (blacklist entries included) whose token
    /// expired before `cutoff`; returns how many. Callers loop until it returns less than
    /// `batch`, so each call is one short transaction.
    async fn flush_expired(&self, cutoff: i64, batch: u32) -> Result<u64>;
    /// Counts a login attempt against `key` before the password is checked, atomically, so
    /// parallel attempts cannot slip past the limit; refuses it while the key backs off.
    async fn begin_login_attempt(
        &self,
        key: &str,
        policy: &ThrottlePolicy,
        now: i64,
    ) -> Result<Attempt>;
    /// The attempt succeeded: forget the key's failures (`reset`) or only this attempt's.
    async fn login_succeeded(&self, key: &str, reset: bool) -> Result<()>;
    /// Atomically replaces `old` by `new`: exactly one caller per `old` gets
    /// [`Rotation::Rotated`], however many race, and `old` is blacklisted when asked.
    async fn rotate(
        &self,
        old: &RefreshToken,
        new: &RefreshToken,
        blacklist_old: bool,
        now: i64,
    ) -> Result<Rotation>;
}

/// A fresh revocation value: 32 hex characters from the OS's random generator.
pub fn new_revoke_key() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Connection-pool limits.
#[derive(Clone, Debug)]
pub struct PoolConfig {
    /// Connections per pool (SQLite: readers; its single writer is always one connection).
    pub max_connections: u32,
    /// How long a request waits for a connection before it fails (and gets a 503).
    pub acquire_timeout: Duration,
}

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

/// Opens (creating if needed) and migrates the database at `url`.
pub async fn open(url: &str, pool: &PoolConfig) -> Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(sqlite::SqliteStore::open(url, pool).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(postgres::PgStore::open(url, pool).await?))
    } else {
        Err(StoreError::UnsupportedUrl(redact_url(url)))
    }
}

/// The URL with its password replaced by `***`, for logs and error messages.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{path}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn urls_lose_their_password() {
        assert_eq!(
            super::redact_url("postgres://jwtd:s3cret@db:5432/jwtd?sslmode=require"),
            "postgres://jwtd:***@db:5432/jwtd?sslmode=require"
        );
        assert_eq!(
            super::redact_url("postgres://jwtd@db/jwtd"),
            "postgres://jwtd@db/jwtd"
        );
        assert_eq!(super::redact_url("sqlite://x.db"), "sqlite://x.db");
    }
}
