//! The last hour of what an operator watches, minute by minute, for the admin console's chart:
//! logins, failed logins, throttled attempts and refresh-token reuse detections. Counted where
//! the Prometheus counters are, kept in memory per instance (a restart starts it empty; each
//! instance of a multi-instance deployment reports its own traffic).

use std::sync::{Mutex, PoisonError};

use serde::Serialize;

use crate::metrics::LoginOutcome;

/// How many minutes are kept.
pub const MINUTES: usize = 60;

/// What is counted.
#[derive(Clone, Copy)]
enum Signal {
    Login = 0,
    FailedLogin = 1,
    Throttled = 2,
    ReuseDetected = 3,
}

#[derive(Clone, Copy, Default)]
struct Bucket {
    /// Minutes since the epoch this bucket counts.
    minute: i64,
    counts: [u64; 4],
}

/// One minute of activity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Minute {
    /// The minute's first second (epoch seconds).
    pub start: i64,
    pub logins: u64,
    pub failed_logins: u64,
    pub throttled: u64,
    pub reuse_detections: u64,
}

/// A ring of per-minute buckets: slot `minute % 60`, reset when a new minute reaches it.
pub struct Activity {
    buckets: Mutex<Vec<Bucket>>,
}

impl Default for Activity {
    fn default() -> Self {
        Activity {
            buckets: Mutex::new(vec![Bucket::default(); MINUTES]),
        }
    }
}

impl Activity {
    /// A login attempt's outcome at `now` (epoch seconds); a store failure counts as nothing.
    pub fn login(&self, outcome: LoginOutcome, now: i64) {
        let signal = match outcome {
            LoginOutcome::Success => Signal::Login,
            LoginOutcome::BadCredentials => Signal::FailedLogin,
            LoginOutcome::Throttled => Signal::Throttled,
            LoginOutcome::Unavailable => return,
        };
        self.count(signal, now);
    }

    /// A rotated refresh token replayed (its family revoked).
    pub fn reuse_detected(&self, now: i64) {
        self.count(Signal::ReuseDetected, now);
    }

    fn count(&self, signal: Signal, now: i64) {
        let minute = now.div_euclid(60);
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        let slot = &mut buckets[slot(minute)];
        if slot.minute != minute {
            *slot = Bucket {
                minute,
                counts: [0; 4],
            };
        }
        slot.counts[signal as usize] += 1;
    }

    /// The last [`MINUTES`] minutes up to and including `now`'s, oldest first.
    pub fn last_hour(&self, now: i64) -> Vec<Minute> {
        let current = now.div_euclid(60);
        let buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        (current - MINUTES as i64 + 1..=current)
            .map(|minute| {
                let bucket = buckets[slot(minute)];
                let counts = if bucket.minute == minute {
                    bucket.counts
                } else {
                    [0; 4]
                };
                Minute {
                    start: minute * 60,
                    logins: counts[Signal::Login as usize],
                    failed_logins: counts[Signal::FailedLogin as usize],
                    throttled: counts[Signal::Throttled as usize],
                    reuse_detections: counts[Signal::ReuseDetected as usize],
                }
            })
            .collect()
    }
}

fn slot(minute: i64) -> usize {
    usize::try_from(minute.rem_euclid(MINUTES as i64)).expect("a remainder below 60")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_are_counted_apart_and_forgotten_after_an_hour() {
        let activity = Activity::default();
        let t = 1_800_000_000; // a minute's start
        activity.login(LoginOutcome::Success, t);
        activity.login(LoginOutcome::Success, t + 59);
        activity.login(LoginOutcome::BadCredentials, t + 60);
        activity.login(LoginOutcome::Throttled, t + 61);
        activity.login(LoginOutcome::Unavailable, t + 61);
        activity.reuse_detected(t + 125);
        let hour = activity.last_hour(t + 125);
        assert_eq!(hour.len(), MINUTES);
        let last = &hour[MINUTES - 3..];
        assert_eq!(
            (last[0].start, last[0].logins, last[0].failed_logins),
            (t, 2, 0)
        );
        assert_eq!((last[1].failed_logins, last[1].throttled), (1, 1));
        assert_eq!(last[2].reuse_detections, 1);
        assert_eq!(hour.iter().map(|m| m.logins).sum::<u64>(), 2);
        // Later the same slots hold new minutes: the old counts are gone.
        let later = t + 3600 + 180; // every minute above is more than an hour old

        activity.login(LoginOutcome::Success, later);
        let hour = activity.last_hour(later);
        assert_eq!(hour.iter().map(|m| m.logins).sum::<u64>(), 1);
        assert_eq!(hour.iter().map(|m| m.failed_logins).sum::<u64>(), 0);
    }
}
