//! jwtd-store: jwtd's persistent state, by capability:
//!
//! * [`UserStore`] ([`users`]): the users;
//! * [`TokenStore`] ([`tokens`]): refresh tokens, the blacklist, rotation, families and "log out
//!   everywhere";
//! * [`LoginThrottle`] ([`throttle`]): brute-force counters;
//! * [`Health`] ([`health`]): reachability, migrations, pools;
//! * [`Importer`] ([`import`]): users and tokens from another system, keeping their ids;
//! * [`KeyStore`] ([`keys`]): the signing-key set, private keys sealed by the caller;
//! * [`SessionStore`] ([`sessions`]): one session per login, where and when it was used;
//! * [`ApiKeyStore`] ([`api_keys`]): hashed credentials for machines;
//! * [`AuditLog`] ([`audit`]): admin actions and security events.
//!
//! [`Store`] is all nine: what the server holds. Two backends share one SQL implementation
//! (the [`sql`] module, one file per capability): SQLite in WAL mode, the embedded default
//! ([`sqlite::SqliteStore`]), and PostgreSQL for several jwtd instances behind a load balancer
//! ([`postgres::PgStore`]). Times are epoch seconds (`i64`) supplied by the caller, so every
//! backend stores the same thing and tests can control the clock. Schema changes are versioned
//! migrations, one folder per dialect, embedded in the binary and applied by [`open`].

#[macro_use]
mod sql;
pub mod api_keys;
pub mod audit;
pub mod bounded;
pub mod deadline;
mod error;
pub mod health;
pub mod import;
pub mod keys;
pub mod postgres;
pub mod sessions;
pub mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;
pub mod throttle;
pub mod tokens;
pub mod user_cache;
pub mod users;

use std::sync::Arc;
use std::time::Duration;

pub use api_keys::{ApiKey, ApiKeyStore, NewApiKey};
pub use audit::{AuditEntry, AuditLog, AuditQuery};
pub use bounded::{CallLimits, CallStats, bounded};
pub use error::{Result, StoreError};
pub use health::Health;
pub use import::{ImportAction, ImportedToken, ImportedUser, Importer, TokenCounts};
pub use keys::{KeyOrigin, KeyState, KeyStore, StoredKey};
pub use sessions::{Session, SessionOrigin, SessionStore};
pub use throttle::{Attempt, LoginThrottle, ThrottlePolicy};
pub use tokens::{RefreshToken, Rotation, Succession, TokenState, TokenStore};
pub use users::{NewUser, User, UserChanges, UserQuery, UserStore, new_revoke_key};

/// Everything jwtd needs of its database.
pub trait Store:
    UserStore
    + TokenStore
    + LoginThrottle
    + Health
    + Importer
    + KeyStore
    + SessionStore
    + ApiKeyStore
    + AuditLog
    + 'static
{
}

impl<T> Store for T where
    T: UserStore
        + TokenStore
        + LoginThrottle
        + Health
        + Importer
        + KeyStore
        + SessionStore
        + ApiKeyStore
        + AuditLog
        + 'static
{
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

/// A pooled connection idle this long is pinged before it is handed out (its database may have
/// restarted meanwhile); one used more recently is not.
const TEST_IDLE_CONNECTIONS_AFTER: Duration = Duration::from_secs(1);

impl PoolConfig {
    /// sqlx pool options with these limits. sqlx pings every connection it hands out by
    /// default — one more round trip per call (on SQLite a hand-off to its worker thread) — but
    /// it already pings every connection it takes back, so only connections idle for a while are
    /// tested again. A connection that died since fails its call with a transient error (a
    /// 503), and sqlx closes it.
    pub fn options<DB: sqlx::Database>(&self) -> sqlx::pool::PoolOptions<DB> {
        use sqlx::Connection as _;
        sqlx::pool::PoolOptions::new()
            .max_connections(self.max_connections)
            .acquire_timeout(self.acquire_timeout)
            .test_before_acquire(false)
            .before_acquire(|connection: &mut DB::Connection, meta| {
                Box::pin(async move {
                    if meta.idle_for >= TEST_IDLE_CONNECTIONS_AFTER {
                        connection.ping().await?;
                    }
                    Ok(true)
                })
            })
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
