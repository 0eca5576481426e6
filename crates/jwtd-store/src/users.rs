//! Users: who may log in, and what their tokens carry.

use async_trait::async_trait;

use crate::Result;

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
    /// When the user last logged out everywhere, in epoch microseconds; `None`: never.
    pub logged_out_at: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct NewUser {
    pub username: String,
    pub email: String,
    pub password: String,
    pub is_active: bool,
    pub roles: Vec<String>,
}

/// Which users to list, by id.
#[derive(Clone, Debug, Default)]
pub struct UserQuery {
    /// A case-insensitive part of the username or the email address.
    pub search: Option<String>,
    pub is_active: Option<bool>,
    pub role: Option<String>,
    pub offset: u64,
    pub limit: u64,
}

/// The fields an update changes (`None`: unchanged).
#[derive(Clone, Debug, Default)]
pub struct UserChanges {
    pub username: Option<String>,
    pub email: Option<String>,
    pub roles: Option<Vec<String>>,
    pub is_active: Option<bool>,
}

#[async_trait]
pub trait UserStore: Send + Sync {
    async fn create_user(&self, user: NewUser, now: i64) -> Result<User>;
    async fn user_by_id(&self, id: i64) -> Result<Option<User>>;
    async fn user_by_username(&self, username: &str) -> Result<Option<User>>;
    /// Case-insensitive.
    async fn user_by_email(&self, email: &str) -> Result<Option<User>>;
    async fn list_users(&self) -> Result<Vec<User>>;
    /// How many users match, and the page `query` asks for.
    async fn search_users(&self, query: &UserQuery) -> Result<(u64, Vec<User>)>;
    /// Applies `changes`; the updated user, or `None` when no such user exists. A username or
    /// email another user has fails with [`crate::StoreError::UsernameTaken`] /
    /// [`crate::StoreError::EmailTaken`].
    async fn update_user(&self, id: i64, changes: &UserChanges) -> Result<Option<User>>;
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
}

/// A fresh revocation value: 32 hex characters from the OS's random generator.
pub fn new_revoke_key() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}
