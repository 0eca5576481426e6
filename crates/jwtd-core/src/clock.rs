//! Time as jwtd reads it: one [`Clock`] per server, read once per request, so every check and
//! every claim of one request sees the same instant — and tests can set it instead of sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// An instant, in microseconds since the Unix epoch. Tokens carry whole seconds
/// ([`Timestamp::secs`]); revocations keep the microseconds, so "before" stays exact within a
/// second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_micros(micros: i64) -> Self {
        Timestamp(micros)
    }

    pub const fn from_secs(secs: i64) -> Self {
        Timestamp(secs.saturating_mul(1_000_000))
    }

    pub const fn micros(self) -> i64 {
        self.0
    }

    /// Whole epoch seconds (rounded down), as tokens and the store count time.
    pub const fn secs(self) -> i64 {
        self.0.div_euclid(1_000_000)
    }

    pub fn plus(self, d: Duration) -> Self {
        let micros = i64::try_from(d.as_micros()).unwrap_or(i64::MAX);
        Timestamp(self.0.saturating_add(micros))
    }
}

/// The system clock, or a manual one for tests.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    manual: Option<Arc<AtomicI64>>,
}

impl Clock {
    pub fn system() -> Self {
        Clock { manual: None }
    }

    /// A clock that stands at `start` until it is [set](Clock::set) or
    /// [advanced](Clock::advance).
    pub fn manual(start: Timestamp) -> Self {
        Clock {
            manual: Some(Arc::new(AtomicI64::new(start.micros()))),
        }
    }

    pub fn now(&self) -> Timestamp {
        match &self.manual {
            Some(at) => Timestamp(at.load(Ordering::Acquire)),
            None => system_now(),
        }
    }

    /// Moves a manual clock to `at`. A system clock cannot be set: that is a bug in the caller.
    pub fn set(&self, at: Timestamp) {
        self.manual
            .as_ref()
            .expect("only a manual clock can be set")
            .store(at.micros(), Ordering::Release);
    }

    pub fn advance(&self, by: Duration) {
        self.set(self.now().plus(by));
    }
}

fn system_now() -> Timestamp {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO);
    Timestamp(i64::try_from(since_epoch.as_micros()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clocks_stand_still_until_moved() {
        let clock = Clock::manual(Timestamp::from_secs(100));
        let copy = clock.clone();
        assert_eq!(clock.now().secs(), 100);
        copy.advance(Duration::from_millis(1500));
        assert_eq!(clock.now().micros(), 101_500_000);
        assert_eq!(clock.now().secs(), 101);
        assert_eq!(Timestamp::from_micros(-1).secs(), -1);
        assert!(Clock::system().now().secs() > 1_700_000_000);
    }
}
