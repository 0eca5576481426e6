//! Refresh-token state: SimpleJWT's outstanding and blacklisted tokens, rotation, families,
//! and the per-user revocation "log out everywhere".

use async_trait::async_trait;

use crate::Result;

/// A refresh token as the store tracks it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshToken {
    pub jti: String,
    pub user_id: Option<i64>,
    /// The jti of the first token of the login this one descends from.
    pub family: String,
    pub expires_at: i64,
    /// The encoded token, as SimpleJWT's `OutstandingToken.token` keeps it (written only into a
    /// Django site's blacklist tables; jwtd's own store does not keep it).
    pub encoded: String,
}

/// What the store knows about a refresh token.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct TokenState {
    pub family: String,
    pub user_id: Option<i64>,
    pub rotated_at: Option<i64>,
    pub blacklisted_at: Option<i64>,
}

/// A rotation: `old` replaced by its successor `new`.
#[derive(Clone, Copy, Debug)]
pub struct Succession<'a> {
    pub old: &'a RefreshToken,
    pub new: &'a RefreshToken,
    /// Blacklist `old` as well (`blacklist_after_rotation`); either way it gets no other
    /// successor.
    pub blacklist_old: bool,
}

/// What happened to a rotation attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rotation {
    /// This call rotated the token; its successor is recorded.
    Rotated,
    /// The token was already rotated or blacklisted; nothing changed.
    AlreadyUsed,
}

#[async_trait]
pub trait TokenStore: Send + Sync {
    /// Records a refresh token issued at login (SimpleJWT's `outstand`).
    async fn add_refresh_token(&self, token: &RefreshToken, now: i64) -> Result<()>;
    async fn is_blacklisted(&self, jti: &str) -> Result<bool>;
    /// The token's row, if jwtd has seen it.
    async fn token_state(&self, jti: &str) -> Result<Option<TokenState>>;
    /// Blacklists a token, recording it first if jwtd never saw it. False when it already was.
    async fn blacklist(&self, token: &RefreshToken, now: i64) -> Result<bool>;
    /// Atomically replaces the old token by the new: exactly one caller per old token gets
    /// [`Rotation::Rotated`], however many race, and the old one is blacklisted when asked.
    async fn rotate(&self, succession: Succession<'_>, now: i64) -> Result<Rotation>;
    /// Blacklists every token of a login's family (reuse detection); returns the jtis it
    /// blacklisted.
    async fn revoke_family(&self, family: &str, now: i64) -> Result<Vec<String>>;
    /// "Log out everywhere" at `at_micros` (epoch microseconds): refuses the user's tokens
    /// issued before that instant, blacklists their refresh tokens and replaces the revocation
    /// value. False when no such user exists.
    async fn revoke_user_tokens(&self, user_id: i64, at_micros: i64) -> Result<bool>;
    /// [`TokenStore::revoke_user_tokens`] for a user jwtd does not hold (a live Django site's):
    /// the instant is kept by user id alone.
    async fn revoke_external_user_tokens(&self, user_id: i64, at_micros: i64) -> Result<()>;
    /// When a user jwtd does not hold last logged out everywhere (epoch microseconds).
    async fn external_logged_out_at(&self, user_id: i64) -> Result<Option<i64>>;
    /// Records a token issued in the same second as the user's last "log out everywhere" but
    /// after it, so it is told apart from the tokens that logout refused (`iat` has whole
    /// seconds only). The rows of an earlier logout go when the user logs out again, or when
    /// their token expires (`flush_expired`).
    async fn record_issued_after_logout(
        &self,
        jti: &str,
        user_id: i64,
        expires_at: i64,
    ) -> Result<()>;
    /// Whether [`TokenStore::record_issued_after_logout`] recorded `jti` for `user_id`.
    async fn issued_after_logout(&self, jti: &str, user_id: i64) -> Result<bool>;
    /// Deletes at most `batch` refresh-token rows (blacklist entries included) whose token
    /// expired before `cutoff`, and as many expired `issued_after_logout` records; returns how
    /// many refresh-token rows. Callers loop until it returns less than
    /// `batch`, so each call is one short transaction.
    async fn flush_expired(&self, cutoff: i64, batch: u32) -> Result<u64>;
}
