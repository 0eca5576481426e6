//! Every database call the server makes, bounded in time and in number, so a stalled database
//! (packets delayed or lost, a lock never released, a disk that stops answering) turns into
//! prompt 503s instead of requests that hang and pile up.
//!
//! * **Time**: a call fails with [`StoreError::TimedOut`] once `acquire_timeout +
//!   query_timeout` have passed — the pool's own acquire timeout bounds the wait for a
//!   connection, but nothing in sqlx bounds a query whose answer never comes. The call's future
//!   is dropped; sqlx then pings that connection before reusing it, so a connection that stays
//!   dead is closed and a stalled one returns to the pool only once its database answers again.
//! * **Number**: at most `max_pending` calls run or wait at once; one more fails at once with
//!   [`StoreError::TooManyPending`], so a stall holds at most that many requests (and their
//!   memory) in the database's queue, while the endpoints that need no database keep answering.
//!
//! Both are transient errors: the client gets 503 with `Retry-After`, and service resumes by
//! itself when the database answers again.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;

use crate::{
    ApiKey, ApiKeyStore, Attempt, AuditEntry, AuditLog, AuditQuery, Health, ImportAction,
    ImportedToken, ImportedUser, Importer, KeyState, KeyStore, LoginThrottle, NewApiKey, NewUser,
    RefreshToken, Result, Rotation, Session, SessionOrigin, SessionStore, Store, StoreError,
    StoredKey, Succession, ThrottlePolicy, TokenCounts, TokenState, TokenStore, User, UserChanges,
    UserQuery, UserStore,
};

/// The bounds of [`Bounded`].
#[derive(Clone, Copy, Debug)]
pub struct CallLimits {
    /// How long one call may take in all: waiting for a connection, then its queries.
    pub deadline: Duration,
    /// Calls running or waiting at once; beyond it a call fails at once.
    pub max_pending: usize,
}

/// What [`Bounded`] has seen, for the metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CallStats {
    /// Calls running or waiting now.
    pub pending: usize,
    /// Calls that failed because the database did not answer in time, since start.
    pub timed_out: u64,
    /// Calls refused because `max_pending` were already pending, since start.
    pub refused: u64,
}

/// A [`Store`] whose calls are bounded by [`CallLimits`].
pub struct Bounded {
    inner: Arc<dyn Store>,
    limits: CallLimits,
    pending: AtomicUsize,
    timed_out: AtomicU64,
    refused: AtomicU64,
}

/// Wraps `inner` so each of its calls is bounded by `limits`.
pub fn bounded(inner: Arc<dyn Store>, limits: CallLimits) -> Arc<dyn Store> {
    Arc::new(Bounded::new(inner, limits))
}

/// One pending call; dropping it (the call finished or was cancelled) frees its place.
struct Pending<'a>(&'a AtomicUsize);

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Bounded {
    fn new(inner: Arc<dyn Store>, limits: CallLimits) -> Bounded {
        Bounded {
            inner,
            limits,
            pending: AtomicUsize::new(0),
            timed_out: AtomicU64::new(0),
            refused: AtomicU64::new(0),
        }
    }

    async fn call<T>(&self, call: impl Future<Output = Result<T>>) -> Result<T> {
        let _pending = self.enter()?;
        match crate::deadline::within(self.limits.deadline, call).await {
            Ok(answer) => answer,
            Err(_) => {
                self.timed_out.fetch_add(1, Ordering::Relaxed);
                Err(StoreError::TimedOut(self.limits.deadline))
            }
        }
    }

    fn enter(&self) -> Result<Pending<'_>> {
        let before = self.pending.fetch_add(1, Ordering::AcqRel);
        let pending = Pending(&self.pending);
        if before >= self.limits.max_pending {
            self.refused.fetch_add(1, Ordering::Relaxed);
            return Err(StoreError::TooManyPending(self.limits.max_pending));
        }
        Ok(pending)
    }
}

/// Implements `$capability` for [`Bounded`]: each method is the inner store's, bounded.
macro_rules! bounded_capability {
    ($capability:ident {
        $(fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $out:ty;)*
    }) => {
        #[async_trait]
        impl $capability for Bounded {
            $(async fn $name(&self $(, $arg: $ty)*) -> Result<$out> {
                self.call(self.inner.$name($($arg),*)).await
            })*
        }
    };
}

bounded_capability!(UserStore {
    fn create_user(&self, user: NewUser, now: i64) -> User;
    fn user_by_id(&self, id: i64) -> Option<User>;
    fn user_by_username(&self, username: &str) -> Option<User>;
    fn user_by_email(&self, email: &str) -> Option<User>;
    fn list_users(&self) -> Vec<User>;
    fn search_users(&self, query: &UserQuery) -> (u64, Vec<User>);
    fn update_user(&self, id: i64, changes: &UserChanges) -> Option<User>;
    fn set_password(&self, id: i64, password: &str) -> bool;
    fn upgrade_password_hash(&self, id: i64, old: &str, new: &str) -> bool;
    fn set_active(&self, id: i64, active: bool) -> bool;
    fn delete_user(&self, id: i64) -> bool;
    fn record_login(&self, id: i64, now: i64) -> ();
});

bounded_capability!(TokenStore {
    fn add_refresh_token(&self, token: &RefreshToken, now: i64) -> ();
    fn is_blacklisted(&self, jti: &str) -> bool;
    fn token_state(&self, jti: &str) -> Option<TokenState>;
    fn blacklist(&self, token: &RefreshToken, now: i64) -> bool;
    fn rotate(&self, succession: Succession<'_>, now: i64) -> Rotation;
    fn revoke_family(&self, family: &str, now: i64) -> Vec<String>;
    fn revoke_user_tokens(&self, user_id: i64, at_micros: i64) -> bool;
    fn revoke_external_user_tokens(&self, user_id: i64, at_micros: i64) -> ();
    fn external_logged_out_at(&self, user_id: i64) -> Option<i64>;
    fn record_issued_after_logout(&self, jti: &str, user_id: i64, expires_at: i64) -> ();
    fn issued_after_logout(&self, jti: &str, user_id: i64) -> bool;
    fn flush_expired(&self, cutoff: i64, batch: u32) -> u64;
});

bounded_capability!(LoginThrottle {
    fn begin_login_attempt(&self, key: &str, policy: &ThrottlePolicy, now: i64) -> Attempt;
    fn login_succeeded(&self, key: &str, reset: bool) -> ();
});

bounded_capability!(KeyStore {
    fn signing_keys(&self) -> Vec<StoredKey>;
    fn add_signing_key(&self, key: &StoredKey) -> bool;
    fn activate_signing_key(&self, kid: &str, replacing: Option<&str>, now: i64) -> bool;
    fn remove_signing_key(&self, kid: &str, state: KeyState) -> bool;
    fn remove_expired_keys(&self, retired_before: i64) -> Vec<String>;
});

bounded_capability!(SessionStore {
    fn open_session(&self, token: &RefreshToken, origin: &SessionOrigin, now: i64) -> ();
    fn touch_session(&self, family: &str, now: i64) -> ();
    fn user_sessions(&self, user_id: i64, now: i64) -> Vec<Session>;
    fn session(&self, id: i64, now: i64) -> Option<Session>;
    fn end_other_sessions(&self, user_id: i64, keep: Option<&str>, now: i64) -> Vec<String>;
});

bounded_capability!(ApiKeyStore {
    fn add_api_key(&self, key: &NewApiKey, now: i64) -> ApiKey;
    fn api_key_by_hash(&self, key_hash: &str) -> Option<ApiKey>;
    fn api_keys(&self) -> Vec<ApiKey>;
    fn remove_api_key(&self, name: &str) -> bool;
});

bounded_capability!(AuditLog {
    fn record_audit(&self, entry: &AuditEntry) -> ();
    fn audit_entries(&self, query: &AuditQuery) -> (u64, Vec<AuditEntry>);
    fn flush_audit(&self, before: i64) -> u64;
});

bounded_capability!(Importer {
    fn import_users(&self, users: &[ImportedUser], dry_run: bool) -> Vec<ImportAction>;
    fn import_tokens(&self, tokens: &[ImportedToken], dry_run: bool) -> TokenCounts;
});

#[async_trait]
impl Health for Bounded {
    async fn ping(&self) -> Result<()> {
        self.call(self.inner.ping()).await
    }

    fn pool_stats(&self) -> (u32, u32) {
        self.inner.pool_stats()
    }

    async fn schema_current(&self) -> Result<bool> {
        self.call(self.inner.schema_current()).await
    }

    async fn users_database(&self) -> Option<Result<()>> {
        let answer = self
            .call(async { self.inner.users_database().await.transpose() })
            .await;
        answer.transpose()
    }

    /// Not bounded: closing waits for the calls still running, which are.
    async fn close(&self) {
        self.inner.close().await
    }

    fn call_stats(&self) -> Option<CallStats> {
        Some(CallStats {
            pending: self.pending.load(Ordering::Acquire),
            timed_out: self.timed_out.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A store in a temporary directory (kept for the test's life).
    async fn sqlite(dir: &tempfile::TempDir) -> Arc<dyn Store> {
        let url = format!("sqlite://{}", dir.path().join("jwtd.db").display());
        crate::open(&url, &crate::PoolConfig::default())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_call_past_its_deadline_fails_and_frees_its_place() {
        let limits = CallLimits {
            deadline: Duration::from_millis(50),
            max_pending: 4,
        };
        let dir = tempfile::tempdir().unwrap();
        let store = Bounded::new(sqlite(&dir).await, limits);
        let never = std::future::pending::<Result<()>>();
        let failed = store.call(never).await;
        assert!(matches!(failed, Err(StoreError::TimedOut(d)) if d == limits.deadline));
        assert!(failed.unwrap_err().is_transient());
        assert_eq!(store.call_stats().unwrap().pending, 0);
        assert_eq!(store.call_stats().unwrap().timed_out, 1);
        // The store itself still answers through the bound.
        assert!(store.ping().await.is_ok());
    }

    #[tokio::test]
    async fn calls_beyond_max_pending_are_refused_at_once() {
        let limits = CallLimits {
            deadline: Duration::from_secs(60),
            max_pending: 2,
        };
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Bounded::new(sqlite(&dir).await, limits));
        let (release, hold) = tokio::sync::watch::channel(false);
        let stuck: Vec<_> = (0..2)
            .map(|_| {
                let (store, mut hold) = (Arc::clone(&store), hold.clone());
                tokio::spawn(async move {
                    store
                        .call(async move {
                            let _ = hold.wait_for(|go| *go).await;
                            Ok(())
                        })
                        .await
                })
            })
            .collect();
        while store.call_stats().unwrap().pending < 2 {
            tokio::task::yield_now().await;
        }
        let refused = store.ping().await;
        assert!(matches!(refused, Err(StoreError::TooManyPending(2))));
        assert!(refused.unwrap_err().is_transient());
        assert_eq!(store.call_stats().unwrap().refused, 1);
        release.send(true).unwrap();
        for call in stuck {
            call.await.unwrap().unwrap();
        }
        assert_eq!(store.call_stats().unwrap().pending, 0);
        assert!(store.ping().await.is_ok(), "places are given back");
    }
}
