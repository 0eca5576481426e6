//! The audit log: admin actions and security events.

use async_trait::async_trait;

use crate::Result;

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    /// Epoch seconds.
    pub at: i64,
    /// `user.created`, `session.revoked`, `family.revoked`, …
    pub action: String,
    /// Who acted: `user:<id>`, `api-key:<name>`, `cli`, or `jwtd` for what jwtd did itself.
    pub actor: String,
    pub actor_user: Option<i64>,
    pub target_user: Option<i64>,
    /// A JSON object with what else the action concerns (never a password or a key).
    pub detail: String,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

/// Which entries to read, newest first.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    /// Entries by or about this user.
    pub user: Option<i64>,
    pub action: Option<String>,
    /// At or after this epoch second.
    pub since: Option<i64>,
    pub offset: u64,
    pub limit: u64,
}

#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Appends an entry (its `id` is assigned by the store).
    async fn record_audit(&self, entry: &AuditEntry) -> Result<()>;
    /// How many entries match, and the page `query` asks for.
    async fn audit_entries(&self, query: &AuditQuery) -> Result<(u64, Vec<AuditEntry>)>;
    /// Deletes entries older than `before`; how many.
    async fn flush_audit(&self, before: i64) -> Result<u64>;
}
