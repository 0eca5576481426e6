//! Brute-force protection at login: which counters an attempt is charged to. The 429 itself is
//! decided in the store, atomically ([`jwtd_store::LoginThrottle::begin_login_attempt`]).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use jwtd_core::settings::{LoginField, whole_seconds};
use jwtd_store::{Attempt, ThrottlePolicy};
use sha2::{Digest, Sha256};

use super::error::ApiError;
use super::now::Now;
use crate::state::AppState;

/// Which logins' back-off the audit log has already recorded, and until when: a lock is one
/// entry (`account.throttled`), however many attempts it refuses. Bounded: past
/// [`LockNotices::CAPACITY`] logins, expired entries are dropped, then all.
#[derive(Default)]
pub struct LockNotices(Mutex<HashMap<String, i64>>);

impl LockNotices {
    const CAPACITY: usize = 10_000;

    /// Whether a lock of `login` lasting until `until` is news (and remembers it).
    pub fn is_new(&self, login: &str, now: i64, until: i64) -> bool {
        let mut seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if seen.get(login).is_some_and(|&known| known >= now) {
            return false;
        }
        if seen.len() >= Self::CAPACITY {
            seen.retain(|_, &mut known| known >= now);
            if seen.len() >= Self::CAPACITY {
                seen.clear();
            }
        }
        seen.insert(login.to_owned(), until);
        true
    }
}

/// The brute-force counters a login attempt is charged to: the account (the login name as
/// typed, normalized as the lookup normalizes it, hashed so no attempted name is stored) and
/// the client IP. The account counter does not depend on whether the account exists.
pub struct Counters {
    keys: Vec<(String, ThrottlePolicy)>,
}

impl Counters {
    pub fn new(app: &AppState, field: LoginField, login: &str, ip: IpAddr) -> Counters {
        let throttle = &app.settings.throttle;
        if !throttle.enabled {
            return Counters { keys: Vec::new() };
        }
        let policy = |free: u32| ThrottlePolicy {
            free_failures: i64::from(free),
            base_delay: whole_seconds(throttle.base_delay),
            max_delay: whole_seconds(throttle.max_delay),
            window: whole_seconds(throttle.window),
        };
        let normalized = match field {
            LoginField::Username => login.to_owned(),
            LoginField::Email => login.to_lowercase(),
        };
        let digest = Sha256::digest(normalized.as_bytes());
        let account = format!("account:{}", jwtd_core::hex::lower(&digest));
        Counters {
            keys: vec![
                (format!("ip:{ip}"), policy(throttle.ip_failures)),
                (account, policy(throttle.account_failures)),
            ],
        }
    }

    /// Charges the attempt to every counter, or refuses it with the longest wait.
    pub async fn begin(&self, app: &AppState, now: Now) -> Result<(), ApiError> {
        let now = now.secs();
        for (key, policy) in &self.keys {
            if let Attempt::Blocked { retry_after } =
                app.store.begin_login_attempt(key, policy, now).await?
            {
                return Err(ApiError::Throttled {
                    wait_secs: u64::try_from(retry_after).unwrap_or(1),
                });
            }
        }
        Ok(())
    }

    /// A success clears the account's failures and takes this attempt off the IP's count.
    pub async fn succeeded(&self, app: &AppState) -> Result<(), ApiError> {
        for (key, _) in &self.keys {
            let reset = key.starts_with("account:");
            app.store.login_succeeded(key, reset).await?;
        }
        Ok(())
    }
}
