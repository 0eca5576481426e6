//! A JWKS fetched over HTTP(S): cached for its `Cache-Control` max-age (5 min by default),
//! refetched when a token names an unknown `kid` — at most once per cooldown (30 s by default,
//! as PyJWT's; counted from the last fetch of any kind), whatever clients send — and the last
//! good set kept when a fetch fails.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use jwtd_core::keys::KeyRing;
use jwtd_core::token::TokenService;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// Unknown kids trigger a fetch at most this often by default (PyJWT's `cooldown_duration`).
pub(crate) const DEFAULT_COOLDOWN: Duration = Duration::from_secs(30);
/// How long a set is used when the answer says nothing about caching.
const DEFAULT_MAX_AGE: Duration = Duration::from_secs(300);
/// A JWKS is a few kilobytes; anything far larger is not one.
const MAX_BYTES: usize = 1024 * 1024;

pub(crate) struct Jwks {
    url: String,
    cooldown: Duration,
    http: reqwest::Client,
    state: Mutex<State>,
    /// When the cached set goes stale, in milliseconds after `born`: read without the lock on
    /// every verification.
    stale_after_ms: AtomicU64,
    born: Instant,
    fetches: AtomicU64,
}

struct State {
    /// When the last fetch was tried (success or not).
    attempted: Option<Instant>,
}

impl Jwks {
    pub(crate) fn new(url: String, cooldown: Duration) -> Jwks {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a TLS client can be built");
        Jwks {
            url,
            cooldown,
            http,
            state: Mutex::new(State { attempted: None }),
            stale_after_ms: AtomicU64::new(0),
            born: Instant::now(),
            fetches: AtomicU64::new(0),
        }
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    pub(crate) fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    /// The first fetch, whose failure stops the build.
    pub(crate) async fn fetch_into(&self, tokens: &TokenService) -> Result<(), String> {
        let mut state = self.state.lock().await;
        self.fetch(&mut state, tokens).await
    }

    /// Refetches once the cached set is stale (a failure keeps the last good set and is
    /// retried after the cooldown).
    pub(crate) async fn refresh_if_stale(&self, tokens: &TokenService) {
        if !self.stale() {
            return;
        }
        let mut state = self.state.lock().await;
        if self.stale() && self.cooled_down(&state) {
            let _ = self.fetch(&mut state, tokens).await;
        }
    }

    fn stale(&self) -> bool {
        let age_ms = u64::try_from(self.born.elapsed().as_millis()).unwrap_or(u64::MAX);
        age_ms >= self.stale_after_ms.load(Ordering::Relaxed)
    }

    /// A token named a kid the set lacks: refetch unless one was tried within the cooldown.
    /// Concurrent callers wait for one fetch. Whether a fetch succeeded.
    pub(crate) async fn refresh_for_unknown_kid(&self, tokens: &TokenService) -> bool {
        let mut state = self.state.lock().await;
        if !self.cooled_down(&state) {
            return false;
        }
        self.fetch(&mut state, tokens).await.is_ok()
    }

    fn cooled_down(&self, state: &State) -> bool {
        state
            .attempted
            .is_none_or(|at| at.elapsed() >= self.cooldown)
    }

    async fn fetch(&self, state: &mut State, tokens: &TokenService) -> Result<(), String> {
        state.attempted = Some(Instant::now());
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let response = self
            .http
            .get(&self.url)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("HTTP {}", response.status()));
        }
        let max_age = max_age(response.headers()).unwrap_or(DEFAULT_MAX_AGE);
        let body = response.bytes().await.map_err(|e| e.to_string())?;
        if body.len() > MAX_BYTES {
            return Err(format!("{} bytes is too large for a JWKS", body.len()));
        }
        let ring = KeyRing::from_jwks(&body).map_err(|e| e.to_string())?;
        tokens.install_keys(ring);
        let stale_at = self.born.elapsed() + max_age;
        let stale_at_ms = u64::try_from(stale_at.as_millis()).unwrap_or(u64::MAX);
        self.stale_after_ms.store(stale_at_ms, Ordering::Relaxed);
        Ok(())
    }
}

fn max_age(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::CACHE_CONTROL)?.to_str().ok()?;
    value.split(',').find_map(|part| {
        let seconds = part.trim().strip_prefix("max-age=")?;
        seconds.trim().parse().ok().map(Duration::from_secs)
    })
}
