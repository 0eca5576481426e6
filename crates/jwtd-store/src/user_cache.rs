//! Users read by id in the last half second, so the requests that name a user in their token
//! (protected routes, refresh) do not each pay a database round trip — on SQLite a hand-off to
//! sqlx's worker thread and back.
//!
//! Correctness first: an entry is used for at most [`FRESH_FOR`], so a change made anywhere
//! else — the CLI, another instance, an import — is seen within that time (the contract is one
//! second). A change made through this store forgets the user once its write has committed, so
//! this process sees it at once; a read that raced with such a change is not cached (the
//! generation it started under is gone).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::User;

/// How long a cached user is trusted.
pub const FRESH_FOR: Duration = Duration::from_millis(500);

/// Entries kept at most (then the cache starts over: a burst of distinct users must not grow it
/// without bound).
const CAPACITY: usize = 100_000;

#[derive(Default)]
pub(crate) struct UserCache {
    entries: Mutex<HashMap<i64, (Instant, User)>>,
    /// Bumped by every change, so a read that overlapped one is not cached.
    generation: AtomicU64,
}

impl UserCache {
    /// The user `id`, if read less than [`FRESH_FOR`] ago.
    pub fn get(&self, id: i64) -> Option<User> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(&id)
            .filter(|(read_at, _)| read_at.elapsed() < FRESH_FOR)
            .map(|(_, user)| user.clone())
    }

    /// The generation to give [`UserCache::put`] for a read starting now.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Keeps `user`, read at `started` (when the read began) under `generation`, unless a
    /// change happened since.
    pub fn put(&self, generation: u64, started: Instant, user: &User) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(user.id, (started, user.clone()));
    }

    /// After a change to user `id` has committed.
    pub fn forget(&self, id: i64) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries.remove(&id);
    }

    /// After changes to any number of users (an import).
    pub fn forget_all(&self) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i64, active: bool) -> User {
        User {
            id,
            username: format!("user{id}"),
            email: String::new(),
            password: String::new(),
            is_active: active,
            roles: Vec::new(),
            last_login: None,
            date_joined: 0,
            revoke_key: "k".into(),
            logged_out_at: None,
        }
    }

    #[test]
    fn a_read_that_overlapped_a_change_is_not_kept() {
        let cache = UserCache::default();
        let generation = cache.generation();
        let started = Instant::now();
        // The user changes while the (old) row is being read...
        cache.forget(1);
        cache.put(generation, started, &user(1, true));
        assert!(cache.get(1).is_none(), "the old row must not be served");
        // ...a read after the change is kept.
        cache.put(cache.generation(), Instant::now(), &user(1, false));
        assert_eq!(cache.get(1).map(|u| u.is_active), Some(false));
        cache.forget(1);
        assert!(cache.get(1).is_none());
    }

    #[test]
    fn entries_expire() {
        let cache = UserCache::default();
        let long_ago = Instant::now() - FRESH_FOR;
        cache.put(cache.generation(), long_ago, &user(2, true));
        assert!(cache.get(2).is_none());
    }
}
