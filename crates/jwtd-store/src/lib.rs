//! jwtd-store: users, refresh tokens and the blacklist behind one [`Store`] trait.
//!
//! The embedded default is SQLite in WAL mode ([`sqlite::SqliteStore`]). Times are epoch
//! seconds (`i64`) supplied by the caller, so every backend stores the same thing and tests can
//! control the clock. Schema changes are versioned migrations embedded in the binary and
//! applied by [`open`].

pub mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;

/// A user as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub email: String,
    /// Django-encoded hash (`argon2$…`, `pbkdf2_sha256$…`) or an unusable `!…` value.
    pub password: String,
    pub is_active: bool,
    pub roles: Vec<String>,
    pub last_login: Option<i64>,
    pub date_joined: i64,
    /// Random value tokens carry under `check_revoke_token`; replaced with the password.
    pub revoke_key: String,
}

#[derive(Clone, Debug)]
pub struct NewUser {
    pub username: String,
    pub email: String,
    pub password: String,
    pub is_active: bool,
    pub roles: Vec<String>,
}

/// A refresh token as the store tracks it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshToken {
    pub jti: String,
    pub user_id: Option<i64>,
    /// The jti of the first token of the login this one descends from.
    pub family: String,
    pub expires_at: i64,
}

/// What happened to a rotation attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rotation {
    /// This call rotated the token; its successor is recorded.
    Rotated,
    /// The token was already rotated or blacklisted; nothing changed.
    AlreadyUsed,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("username {0:?} is already taken")]
    UsernameTaken(String),
    #[error("email {0:?} is already used by another user")]
    EmailTaken(String),
    #[error("unsupported database URL {0:?} (expected sqlite://PATH)")]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Answers when the database does.
    async fn ping(&self) -> Result<()>;
    /// Waits for open connections to finish and closes them.
    async fn close(&self);

    async fn create_user(&self, user: NewUser, now: i64) -> Result<User>;
    async fn user_by_id(&self, id: i64) -> Result<Option<User>>;
    async fn user_by_username(&self, username: &str) -> Result<Option<User>>;
    /// Case-insensitive.
    async fn user_by_email(&self, email: &str) -> Result<Option<User>>;
    async fn list_users(&self) -> Result<Vec<User>>;
    /// Sets a new password and a new revocation value, so tokens issued under the old password
    /// die under `check_revoke_token`. Returns false when no such user exists (same for the
    /// setters below).
    async fn set_password(&self, id: i64, password: &str) -> Result<bool>;
    /// Replaces the hash of an unchanged password by a stronger one (re-hash on login): only
    /// while the stored hash is still `old`, and without touching the revocation value.
    async fn upgrade_password_hash(&self, id: i64, old: &str, new: &str) -> Result<bool>;
    async fn set_active(&self, id: i64, active: bool) -> Result<bool>;
    async fn delete_user(&self, id: i64) -> Result<bool>;
    async fn record_login(&self, id: i64, now: i64) -> Result<()>;

    /// Records a refresh token issued at login (SimpleJWT's `outstand`).
    async fn add_refresh_token(&self, token: &RefreshToken, now: i64) -> Result<()>;
    async fn is_blacklisted(&self, jti: &str) -> Result<bool>;
    /// Blacklists a token, recording it first if jwtd never saw it. False when it already was.
    async fn blacklist(&self, token: &RefreshToken, now: i64) -> Result<bool>;
    /// Atomically replaces `old` by `new`: exactly one caller per `old` gets
    /// [`Rotation::Rotated`], however many race, and `old` is blacklisted when asked.
    async fn rotate(
        &self,
        old: &RefreshToken,
        new: &RefreshToken,
        blacklist_old: bool,
        now: i64,
    ) -> Result<Rotation>;
}

/// A fresh revocation value: 32 hex characters from the OS's random generator.
pub fn new_revoke_key() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Opens (creating if needed) and migrates the database at `url`.
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(sqlite::SqliteStore::open(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(url.to_owned()))
    }
}
