//! Which sessions this instance marked used lately, so a refresh without rotation writes a
//! session's "last used" at most once a minute instead of on every request.
//!
//! The store keeps "last used" to the minute anyway (`touch_session` changes only a value a
//! minute old); asking it on every refresh took the single SQLite writer per request and, under
//! load, queued one spawned task per refresh behind it (memory growing with the backlog).
//! Another instance's touches are not seen here, which only costs it a redundant UPDATE.

use std::collections::HashMap;
use std::sync::Mutex;

/// How long a touch stands: the store's own granularity.
const TOUCH_EVERY_SECS: i64 = 60;
/// Sessions remembered at most; beyond it, touches older than a minute are forgotten first.
const MAX_REMEMBERED: usize = 100_000;

#[derive(Default)]
pub struct SessionTouches {
    /// Family → when this instance last asked the store to mark it used (epoch seconds).
    touched: Mutex<HashMap<String, i64>>,
}

impl SessionTouches {
    /// Whether the session `family` should be marked used at `now`; if so, it counts as
    /// marked from now on.
    pub fn claim(&self, family: &str, now: i64) -> bool {
        let mut touched = self.touched.lock().unwrap_or_else(|e| e.into_inner());
        if touched
            .get(family)
            .is_some_and(|at| now - at < TOUCH_EVERY_SECS)
        {
            return false;
        }
        if touched.len() >= MAX_REMEMBERED && !touched.contains_key(family) {
            touched.retain(|_, at| now - *at < TOUCH_EVERY_SECS);
            if touched.len() >= MAX_REMEMBERED {
                touched.clear();
            }
        }
        touched.insert(family.to_owned(), now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_is_touched_once_a_minute() {
        let touches = SessionTouches::default();
        assert!(touches.claim("a", 100));
        assert!(!touches.claim("a", 159));
        assert!(touches.claim("b", 159));
        assert!(touches.claim("a", 160));
    }
}
