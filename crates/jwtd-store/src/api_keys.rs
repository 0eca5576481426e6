//! API keys: credentials for machines calling the admin API. The store keeps a hash of each
//! key, never the key.

use async_trait::async_trait;

use crate::Result;

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    /// The key's first characters, to recognise it in a list.
    pub prefix: String,
    /// May read, not change.
    pub read_only: bool,
    pub created_at: i64,
}

/// A key to add: the hash of the key the caller generated and showed once.
#[derive(Clone, Debug)]
pub struct NewApiKey {
    pub name: String,
    pub prefix: String,
    pub key_hash: String,
    pub read_only: bool,
}

#[async_trait]
pub trait ApiKeyStore: Send + Sync {
    /// Fails with [`crate::StoreError::NameTaken`] when a key of that name exists.
    async fn add_api_key(&self, key: &NewApiKey, now: i64) -> Result<ApiKey>;
    async fn api_key_by_hash(&self, key_hash: &str) -> Result<Option<ApiKey>>;
    async fn api_keys(&self) -> Result<Vec<ApiKey>>;
    /// Deletes the key; false when there is none of that name.
    async fn remove_api_key(&self, name: &str) -> Result<bool>;
}
