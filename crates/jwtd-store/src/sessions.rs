//! Sessions: one per login (a refresh-token family), with where and when it was used.

use async_trait::async_trait;

use crate::{RefreshToken, Result};

/// Where a login came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionOrigin {
    pub ip: String,
    /// The `User-Agent` header, at most [`SessionOrigin::USER_AGENT_CHARS`] characters.
    pub user_agent: String,
}

impl SessionOrigin {
    pub const USER_AGENT_CHARS: usize = 256;

    pub fn new(ip: String, user_agent: &str) -> SessionOrigin {
        SessionOrigin {
            ip,
            user_agent: user_agent.chars().take(Self::USER_AGENT_CHARS).collect(),
        }
    }
}

/// A live session.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Session {
    pub id: i64,
    /// The jti of the login's first refresh token.
    pub family: String,
    pub user_id: i64,
    pub created_at: i64,
    pub last_used_at: i64,
    pub ip: String,
    pub user_agent: String,
    /// When its current refresh token expires (the session ends then unless refreshed).
    pub expires_at: i64,
}

#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Records a login's refresh token (as [`crate::TokenStore::add_refresh_token`]) and opens
    /// its session, in one transaction.
    async fn open_session(
        &self,
        token: &RefreshToken,
        origin: &SessionOrigin,
        now: i64,
    ) -> Result<()>;
    /// Marks a session used by a refresh that did not rotate (a rotation marks it itself); at
    /// most one write a minute per session.
    async fn touch_session(&self, family: &str, now: i64) -> Result<()>;
    /// The user's live sessions, newest first.
    async fn user_sessions(&self, user_id: i64, now: i64) -> Result<Vec<Session>>;
    /// A live session by id.
    async fn session(&self, id: i64, now: i64) -> Result<Option<Session>>;
    /// Ends every session of the user but the one of family `keep`: blacklists their refresh
    /// tokens. Returns the jtis it blacklisted.
    async fn end_other_sessions(
        &self,
        user_id: i64,
        keep: Option<&str>,
        now: i64,
    ) -> Result<Vec<String>>;
}
