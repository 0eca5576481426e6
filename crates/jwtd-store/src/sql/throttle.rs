//! SQL of [`LoginThrottle`](crate::LoginThrottle): the `login_failures` counters.

macro_rules! throttle_sql {
    ($store:ident) => {
        #[async_trait::async_trait]
        impl $crate::LoginThrottle for $store {
            async fn begin_login_attempt(
                &self,
                key: &str,
                policy: &ThrottlePolicy,
                now: i64,
            ) -> Result<Attempt> {
                // A concurrent successful login may delete the row between this attempt's
                // insert and update (PostgreSQL, read committed): then start again.
                for _ in 0..5 {
                    if let Some(attempt) = self.count_login_attempt(key, policy, now).await? {
                        return Ok(attempt);
                    }
                }
                Err($crate::StoreError::Unavailable(
                    "the login counter kept changing; try again".into(),
                ))
            }

            async fn login_succeeded(&self, key: &str, reset: bool) -> Result<()> {
                let sql = if reset {
                    "DELETE FROM login_failures WHERE key = $1"
                } else {
                    "UPDATE login_failures SET failures = failures - 1
                     WHERE key = $1 AND failures > 0"
                };
                sqlx::query(sql).bind(key).execute(&self.writer).await?;
                Ok(())
            }
        }

        impl $store {
            /// One try of [`LoginThrottle::begin_login_attempt`]; `None` when the row vanished
            /// under it.
            async fn count_login_attempt(
                &self,
                key: &str,
                policy: &ThrottlePolicy,
                now: i64,
            ) -> Result<Option<Attempt>> {
                let mut tx = self.write_tx().await?;
                sqlx::query(
                    "INSERT INTO login_failures
                         (key, failures, lock_secs, locked_until, last_failure_at)
                     VALUES ($1, 0, 0, 0, $2) ON CONFLICT (key) DO NOTHING",
                )
                .bind(key)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                // One statement counts the attempt and sets the next back-off, so concurrent
                // attempts are serialized on the row: each sees the previous one's lock. Old
                // failures (quiet for `window`) start the count afresh. The row is updated only
                // while it is not locked: no update means this attempt gets a 429.
                let counted = sqlx::query(
                    "UPDATE login_failures SET
                         failures = CASE WHEN last_failure_at < $3 THEN 1 ELSE failures + 1 END,
                         lock_secs = CASE
                             WHEN (CASE WHEN last_failure_at < $3 THEN 1 ELSE failures + 1 END) < $4 THEN 0
                             WHEN lock_secs = 0 OR last_failure_at < $3 THEN $5
                             WHEN lock_secs * 2 > $6 THEN $6
                             ELSE lock_secs * 2 END,
                         locked_until = $2 + CASE
                             WHEN (CASE WHEN last_failure_at < $3 THEN 1 ELSE failures + 1 END) < $4 THEN 0
                             WHEN lock_secs = 0 OR last_failure_at < $3 THEN $5
                             WHEN lock_secs * 2 > $6 THEN $6
                             ELSE lock_secs * 2 END,
                         last_failure_at = $2
                     WHERE key = $1 AND locked_until <= $2",
                )
                .bind(key)
                .bind(now)
                .bind(now - policy.window)
                .bind(policy.free_failures)
                .bind(policy.base_delay)
                .bind(policy.max_delay)
                .execute(&mut *tx)
                .await?;
                let attempt = if counted.rows_affected() == 1 {
                    Attempt::Allowed
                } else {
                    let sql = "SELECT locked_until FROM login_failures WHERE key = $1";
                    let until: Option<i64> = sqlx::query_scalar(sql)
                        .bind(key)
                        .fetch_optional(&mut *tx)
                        .await?;
                    let Some(until) = until else {
                        return Ok(None);
                    };
                    Attempt::Blocked {
                        retry_after: (until - now).max(1),
                    }
                };
                tx.commit().await?;
                Ok(Some(attempt))
            }
        }
    };
}
