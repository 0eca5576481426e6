//! Brute-force counters for logins, per account and per client IP.

use async_trait::async_trait;

use crate::Result;

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

#[async_trait]
pub trait LoginThrottle: Send + Sync {
    /// Counts a login attempt against `key` before the password is checked, atomically, so
    /// parallel attempts cannot slip past the limit; refuses it while the key backs off. This is
    /// where a login's 429 is decided.
    async fn begin_login_attempt(
        &self,
        key: &str,
        policy: &ThrottlePolicy,
        now: i64,
    ) -> Result<Attempt>;
    /// The attempt succeeded: forget the key's failures (`reset`) or only this attempt's.
    async fn login_succeeded(&self, key: &str, reset: bool) -> Result<()>;
}
