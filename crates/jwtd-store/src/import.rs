//! Bulk import from another system (`jwtd import django`): users keep their ids, a second run
//! applies only what changed, and a collision with a different user is reported, never
//! overwritten.

use async_trait::async_trait;

use crate::{NewUser, Result};

/// A user from another system: the account (its password the other system's encoded hash,
/// kept as it is), with the id its tokens name and its times there.
#[derive(Clone, Debug)]
pub struct ImportedUser {
    pub id: i64,
    pub account: NewUser,
    pub last_login: Option<i64>,
    pub date_joined: i64,
}

/// What an import did (or, in a dry run, would do) to one user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportAction {
    Created,
    /// The fields that changed: `password`, `email`, `is_active`, `roles`.
    Updated(Vec<&'static str>),
    Unchanged,
    /// Not imported: a jwtd user already holds its id, username or email.
    Conflict(String),
}

/// A refresh token the other system issued (SimpleJWT's outstanding and blacklisted tokens).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedToken {
    pub jti: String,
    pub user_id: Option<i64>,
    pub created_at: i64,
    pub expires_at: i64,
    pub blacklisted_at: Option<i64>,
}

/// How many tokens an import recorded and blacklisted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TokenCounts {
    pub recorded: u64,
    pub blacklisted: u64,
}

#[async_trait]
pub trait Importer: Send + Sync {
    /// Creates or updates `users` by id, in one transaction, rolled back when `dry_run`. A
    /// password is replaced only when the other system's changed since the last import (one
    /// jwtd re-hashed on login stays). Ids jwtd assigns later continue after the largest one.
    async fn import_users(
        &self,
        users: &[ImportedUser],
        dry_run: bool,
    ) -> Result<Vec<ImportAction>>;
    /// Records `tokens` not yet known and blacklists the blacklisted ones, in one transaction,
    /// rolled back when `dry_run`.
    async fn import_tokens(&self, tokens: &[ImportedToken], dry_run: bool) -> Result<TokenCounts>;
}
