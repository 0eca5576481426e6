//! SQL of [`SessionStore`](crate::SessionStore): the `sessions` table beside the
//! refresh-token families it describes.

/// A session's columns with its live head token's expiry: the family's one refresh token that
/// is neither rotated, blacklisted nor expired. A session without one has ended.
macro_rules! live_sessions {
    ($where:literal) => {
        concat!(
            "SELECT s.id, s.family, s.user_id, s.created_at, s.last_used_at, s.ip, s.user_agent,
                    t.expires_at
             FROM sessions s JOIN refresh_tokens t ON t.family = s.family
             WHERE t.rotated_at IS NULL AND t.blacklisted_at IS NULL AND t.expires_at > $1 AND ",
            $where,
            " ORDER BY s.created_at DESC, s.id DESC"
        )
    };
}

macro_rules! sessions_sql {
    ($store:ident) => {
        #[async_trait::async_trait]
        impl $crate::SessionStore for $store {
            async fn open_session(
                &self,
                token: &$crate::RefreshToken,
                origin: &$crate::SessionOrigin,
                now: i64,
            ) -> Result<()> {
                let mut tx = self.write_tx().await?;
                insert_if_absent(&mut tx, token, now).await?;
                sqlx::query(
                    "INSERT INTO sessions (family, user_id, created_at, last_used_at, ip, user_agent)
                     VALUES ($1, $2, $3, $3, $4, $5) ON CONFLICT (family) DO NOTHING",
                )
                .bind(&token.family)
                .bind(token.user_id.unwrap_or_default())
                .bind(now)
                .bind(&origin.ip)
                .bind(&origin.user_agent)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn touch_session(&self, family: &str, now: i64) -> Result<()> {
                sqlx::query(
                    "UPDATE sessions SET last_used_at = $1 WHERE family = $2 AND last_used_at < $3",
                )
                .bind(now)
                .bind(family)
                .bind(now - 60)
                .execute(&self.writer)
                .await?;
                Ok(())
            }

            async fn user_sessions(&self, user_id: i64, now: i64) -> Result<Vec<$crate::Session>> {
                Ok(sqlx::query_as(live_sessions!("s.user_id = $2"))
                    .bind(now)
                    .bind(user_id)
                    .fetch_all(&self.reader)
                    .await?)
            }

            async fn session(&self, id: i64, now: i64) -> Result<Option<$crate::Session>> {
                Ok(sqlx::query_as(live_sessions!("s.id = $2"))
                    .bind(now)
                    .bind(id)
                    .fetch_optional(&self.reader)
                    .await?)
            }

            async fn end_other_sessions(
                &self,
                user_id: i64,
                keep: Option<&str>,
                now: i64,
            ) -> Result<Vec<String>> {
                Ok(sqlx::query_scalar(
                    "UPDATE refresh_tokens SET blacklisted_at = $1
                     WHERE user_id = $2 AND blacklisted_at IS NULL
                       AND ($3 IS NULL OR family <> $3) RETURNING jti",
                )
                .bind(now)
                .bind(user_id)
                .bind(keep)
                .fetch_all(&self.writer)
                .await?)
            }
        }
    };
}
