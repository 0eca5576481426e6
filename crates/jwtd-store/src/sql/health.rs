//! SQL of [`Health`](crate::Health): reachability, the migration level, the pools.

macro_rules! health_sql {
    ($store:ident) => {
        #[async_trait::async_trait]
        impl $crate::Health for $store {
            async fn ping(&self) -> Result<()> {
                sqlx::query("SELECT 1").execute(&self.reader).await?;
                Ok(())
            }

            fn pool_stats(&self) -> (u32, u32) {
                self.pools().iter().fold((0, 0), |(used, idle), pool| {
                    let size = pool.size();
                    let free = u32::try_from(pool.num_idle()).unwrap_or(size);
                    (used + size.saturating_sub(free), idle + free)
                })
            }

            async fn schema_current(&self) -> Result<bool> {
                let latest = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
                let sql = "SELECT MAX(version) FROM _sqlx_migrations WHERE success";
                let applied: Option<i64> = sqlx::query_scalar(sql).fetch_one(&self.reader).await?;
                Ok(applied.unwrap_or(0) >= latest)
            }

            async fn close(&self) {
                self.reader.close().await;
                self.writer.close().await;
            }
        }
    };
}
