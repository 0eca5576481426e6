//! SQL of [`ApiKeyStore`](crate::ApiKeyStore): the `api_keys` table.

macro_rules! api_keys_sql {
    ($store:ident) => {
        #[async_trait::async_trait]
        impl $crate::ApiKeyStore for $store {
            async fn add_api_key(
                &self,
                key: &$crate::NewApiKey,
                now: i64,
            ) -> Result<$crate::ApiKey> {
                sqlx::query_as(
                    "INSERT INTO api_keys (name, prefix, key_hash, read_only, created_at)
                     VALUES ($1, $2, $3, $4, $5)
                     RETURNING id, name, prefix, read_only, created_at",
                )
                .bind(&key.name)
                .bind(&key.prefix)
                .bind(&key.key_hash)
                .bind(key.read_only)
                .bind(now)
                .fetch_one(&self.writer)
                .await
                .map_err(|e| match &e {
                    sqlx::Error::Database(db) if db.is_unique_violation() => {
                        $crate::StoreError::NameTaken(key.name.clone())
                    }
                    _ => e.into(),
                })
            }

            async fn api_key_by_hash(&self, key_hash: &str) -> Result<Option<$crate::ApiKey>> {
                Ok(sqlx::query_as(
                    "SELECT id, name, prefix, read_only, created_at FROM api_keys
                     WHERE key_hash = $1",
                )
                .bind(key_hash)
                .fetch_optional(&self.reader)
                .await?)
            }

            async fn api_keys(&self) -> Result<Vec<$crate::ApiKey>> {
                Ok(sqlx::query_as(
                    "SELECT id, name, prefix, read_only, created_at FROM api_keys ORDER BY id",
                )
                .fetch_all(&self.reader)
                .await?)
            }

            async fn remove_api_key(&self, name: &str) -> Result<bool> {
                let done = sqlx::query("DELETE FROM api_keys WHERE name = $1")
                    .bind(name)
                    .execute(&self.writer)
                    .await?;
                Ok(done.rows_affected() == 1)
            }
        }
    };
}
