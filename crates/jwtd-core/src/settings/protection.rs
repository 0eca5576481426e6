//! Password hashing and brute-force protection settings.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{SettingsError, bad};

/// Password hashing: Argon2id parameters for new hashes and the bounded hashing pool.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Hashing {
    /// Argon2id memory in KiB (OWASP: 19456).
    pub memory_kib: u32,
    /// Argon2id passes.
    pub iterations: u32,
    /// Argon2id lanes.
    pub parallelism: u32,
    /// Hashes computed at once (default: CPU cores).
    pub workers: usize,
    /// Logins allowed to wait for a worker; beyond it login answers 503 + Retry-After.
    pub queue: usize,
    /// Re-hash a password stored with another algorithm or weaker parameters (e.g. imported
    /// from Django) after a successful login, as Django's `must_update` does.
    pub upgrade_on_login: bool,
}

impl Default for Hashing {
    fn default() -> Self {
        Hashing {
            memory_kib: 19456,
            iterations: 2,
            parallelism: 1,
            workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
            queue: 256,
            upgrade_on_login: true,
        }
    }
}

impl Hashing {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if self.parallelism == 0 {
            return Err(bad("hashing.parallelism", "must be at least 1"));
        }
        if self.memory_kib < 8 * self.parallelism {
            return Err(bad(
                "hashing.memory_kib",
                "must be at least 8 × parallelism",
            ));
        }
        if self.iterations == 0 {
            return Err(bad("hashing.iterations", "must be at least 1"));
        }
        if self.workers == 0 {
            return Err(bad("hashing.workers", "must be at least 1"));
        }
        Ok(())
    }
}

/// Brute-force protection: failed logins are counted per account (the login name as typed,
/// whether or not such a user exists) and per client IP, in the store, so the counts hold
/// across restarts and instances. Past the free failures, each further failure doubles the
/// wait (from `base_delay` up to `max_delay`); waiting logins get 429 + `Retry-After`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Throttle {
    pub enabled: bool,
    /// Failures per account before back-off starts; a successful login resets the count.
    pub account_failures: u32,
    /// Failures per client IP before back-off starts (kept higher: NAT shares IPs).
    pub ip_failures: u32,
    #[serde(with = "super::duration")]
    pub base_delay: Duration,
    #[serde(with = "super::duration")]
    pub max_delay: Duration,
    /// Failures older than this are forgotten.
    #[serde(with = "super::duration")]
    pub window: Duration,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle {
            enabled: true,
            account_failures: 5,
            ip_failures: 50,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(15 * 60),
            window: Duration::from_secs(3600),
        }
    }
}

impl Throttle {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if self.account_failures == 0 || self.ip_failures == 0 {
            return Err(bad(
                "throttle.account_failures",
                "failure limits must be at least 1 (use enabled = false to switch off)",
            ));
        }
        if self.base_delay.as_secs() == 0 {
            return Err(bad("throttle.base_delay", "must be at least one second"));
        }
        if self.max_delay < self.base_delay {
            return Err(bad("throttle.max_delay", "must not be below base_delay"));
        }
        if self.window.as_secs() == 0 {
            return Err(bad("throttle.window", "must be at least one second"));
        }
        Ok(())
    }
}
