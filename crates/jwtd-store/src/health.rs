//! The database's own state: reachable, migrated, its pools, and shutting it down.

use async_trait::async_trait;

use crate::Result;

#[async_trait]
pub trait Health: Send + Sync {
    /// Answers when the database does.
    async fn ping(&self) -> Result<()>;
    /// Connections (in use, idle) across the store's pools.
    fn pool_stats(&self) -> (u32, u32);
    /// Whether every migration this binary carries is applied.
    async fn schema_current(&self) -> Result<bool>;
    /// Answers when the database the users live in does, if that is not this store's own (a
    /// live Django site's); `None` when it is.
    async fn users_database(&self) -> Option<Result<()>> {
        None
    }
    /// Waits for open connections to finish and closes them.
    async fn close(&self);
    /// How the calls bounded by [`crate::bounded`] fared; `None` for a store not so bounded.
    fn call_stats(&self) -> Option<crate::CallStats> {
        None
    }
}
