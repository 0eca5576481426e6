//! SQL of [`AuditLog`](crate::AuditLog): the `audit_log` table.

macro_rules! audit_sql {
    ($store:ident) => {
        #[async_trait::async_trait]
        impl $crate::AuditLog for $store {
            async fn record_audit(&self, entry: &$crate::AuditEntry) -> Result<()> {
                sqlx::query(
                    "INSERT INTO audit_log
                         (at, action, actor, actor_user, target_user, detail, ip, request_id)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(entry.at)
                .bind(&entry.action)
                .bind(&entry.actor)
                .bind(entry.actor_user)
                .bind(entry.target_user)
                .bind(&entry.detail)
                .bind(&entry.ip)
                .bind(&entry.request_id)
                .execute(&self.writer)
                .await?;
                Ok(())
            }

            async fn audit_entries(
                &self,
                query: &$crate::AuditQuery,
            ) -> Result<(u64, Vec<$crate::AuditEntry>)> {
                // An absent filter is a NULL parameter that matches everything.
                const WHERE: &str = "WHERE ($1 IS NULL OR target_user = $1 OR actor_user = $1)
                                       AND ($2 IS NULL OR action = $2)
                                       AND ($3 IS NULL OR at >= $3)";
                let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                    "SELECT count(*) FROM audit_log {WHERE}"
                )))
                .bind(query.user)
                .bind(&query.action)
                .bind(query.since)
                .fetch_one(&self.reader)
                .await?;
                let entries = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT id, at, action, actor, actor_user, target_user, detail, ip, request_id
                     FROM audit_log {WHERE} ORDER BY id DESC LIMIT $4 OFFSET $5"
                )))
                .bind(query.user)
                .bind(&query.action)
                .bind(query.since)
                .bind(query.limit as i64)
                .bind(query.offset as i64)
                .fetch_all(&self.reader)
                .await?;
                Ok((count as u64, entries))
            }

            async fn flush_audit(&self, before: i64) -> Result<u64> {
                let done = sqlx::query("DELETE FROM audit_log WHERE at < $1")
                    .bind(before)
                    .execute(&self.writer)
                    .await?;
                Ok(done.rows_affected())
            }
        }
    };
}
