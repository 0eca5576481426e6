//! SQL of [`TokenStore`](crate::TokenStore): the `refresh_tokens` table (SimpleJWT's
//! `OutstandingToken` and `BlacklistedToken` in one row per token) and `issued_after_logout`.

macro_rules! tokens_sql {
    ($store:ident, $db:ty) => {
        /// Records a token unless already known (a well-signed token jwtd never issued).
        async fn insert_if_absent(
            tx: &mut sqlx::Transaction<'static, $db>,
            token: &RefreshToken,
            now: i64,
        ) -> Result<()> {
            sqlx::query(
                "INSERT INTO refresh_tokens (jti, user_id, family, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (jti) DO NOTHING",
            )
            .bind(&token.jti)
            .bind(token.user_id)
            .bind(&token.family)
            .bind(now)
            .bind(token.expires_at)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }

        /// Blacklists `jti` at `at` unless it already is; whether this call did.
        async fn mark_blacklisted(
            tx: &mut sqlx::Transaction<'static, $db>,
            jti: &str,
            at: i64,
        ) -> Result<bool> {
            let done = sqlx::query(
                "UPDATE refresh_tokens SET blacklisted_at = $1
                 WHERE jti = $2 AND blacklisted_at IS NULL",
            )
            .bind(at)
            .bind(jti)
            .execute(&mut **tx)
            .await?;
            Ok(done.rows_affected() == 1)
        }

        /// What a "log out everywhere" at `at_micros` does to the user's tokens: blacklists
        /// their refresh tokens and forgets the records of an earlier logout.
        async fn revoke_issued_before(
            tx: &mut sqlx::Transaction<'static, $db>,
            user_id: i64,
            at_micros: i64,
        ) -> Result<()> {
            sqlx::query(
                "UPDATE refresh_tokens SET blacklisted_at = $1
                 WHERE user_id = $2 AND blacklisted_at IS NULL",
            )
            .bind(at_micros.div_euclid(1_000_000))
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
            // Tokens recorded after an earlier logout are issued before this one.
            sqlx::query("DELETE FROM issued_after_logout WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut **tx)
                .await?;
            Ok(())
        }

        /// One rotation's statements inside `tx` (see [`TokenStore::rotate`]): the old token
        /// recorded if unseen, its compare-and-set, the successor, the session's last use. On
        /// [`Rotation::AlreadyUsed`] nothing was written (a token already used was already
        /// recorded), so the transaction may go on with other rotations.
        ///
        /// [`TokenStore::rotate`]: $crate::TokenStore::rotate
        async fn rotate_in(
            tx: &mut sqlx::Transaction<'static, $db>,
            succession: $crate::Succession<'_>,
            now: i64,
        ) -> Result<Rotation> {
            let $crate::Succession {
                old,
                new,
                blacklist_old,
            } = succession;
            insert_if_absent(tx, old, now).await?;
            // The compare-and-set: only a token neither rotated nor blacklisted can be rotated.
            let done = sqlx::query(
                "UPDATE refresh_tokens
                 SET rotated_at = $1, replaced_by = $2,
                     blacklisted_at = CASE WHEN $3 THEN $1 ELSE blacklisted_at END
                 WHERE jti = $4 AND rotated_at IS NULL AND blacklisted_at IS NULL",
            )
            .bind(now)
            .bind(&new.jti)
            .bind(blacklist_old)
            .bind(&old.jti)
            .execute(&mut **tx)
            .await?;
            if done.rows_affected() == 0 {
                return Ok(Rotation::AlreadyUsed);
            }
            // The successor joins its predecessor's family, whatever the caller assumed.
            sqlx::query(
                "INSERT INTO refresh_tokens (jti, user_id, family, created_at, expires_at)
                 SELECT $1, $2, family, $3, $4 FROM refresh_tokens WHERE jti = $5",
            )
            .bind(&new.jti)
            .bind(new.user_id)
            .bind(now)
            .bind(new.expires_at)
            .bind(&old.jti)
            .execute(&mut **tx)
            .await?;
            sqlx::query(
                "UPDATE sessions SET last_used_at = $1
                 WHERE family = (SELECT family FROM refresh_tokens WHERE jti = $2)",
            )
            .bind(now)
            .bind(&old.jti)
            .execute(&mut **tx)
            .await?;
            Ok(Rotation::Rotated)
        }

        /// One rotation in `tx`, committed.
        async fn rotate_committed(
            mut tx: sqlx::Transaction<'static, $db>,
            succession: $crate::Succession<'_>,
            now: i64,
        ) -> Result<Rotation> {
            let rotation = rotate_in(&mut tx, succession, now).await?;
            tx.commit().await?;
            Ok(rotation)
        }

        #[async_trait::async_trait]
        impl $crate::TokenStore for $store {
            async fn add_refresh_token(&self, token: &RefreshToken, now: i64) -> Result<()> {
                let mut tx = self.write_tx().await?;
                insert_if_absent(&mut tx, token, now).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn is_blacklisted(&self, jti: &str) -> Result<bool> {
                if let Some(state) = self.token_state_in_place(jti) {
                    return Ok(state.is_some_and(|s| s.blacklisted_at.is_some()));
                }
                let sql = "SELECT blacklisted_at IS NOT NULL FROM refresh_tokens WHERE jti = $1";
                let blacklisted: Option<bool> = sqlx::query_scalar(sql)
                    .bind(jti)
                    .fetch_optional(&self.reader)
                    .await?;
                Ok(blacklisted.unwrap_or(false))
            }

            async fn token_state(&self, jti: &str) -> Result<Option<TokenState>> {
                if let Some(state) = self.token_state_in_place(jti) {
                    return Ok(state);
                }
                Ok(sqlx::query_as($crate::sql::TOKEN_STATE)
                    .bind(jti)
                    .fetch_optional(&self.reader)
                    .await?)
            }

            async fn blacklist(&self, token: &RefreshToken, now: i64) -> Result<bool> {
                let mut tx = self.write_tx().await?;
                insert_if_absent(&mut tx, token, now).await?;
                let blacklisted = mark_blacklisted(&mut tx, &token.jti, now).await?;
                tx.commit().await?;
                Ok(blacklisted)
            }

            async fn rotate(
                &self,
                succession: $crate::Succession<'_>,
                now: i64,
            ) -> Result<Rotation> {
                self.rotate_durably(succession, now).await
            }

            async fn revoke_family(&self, family: &str, now: i64) -> Result<Vec<String>> {
                Ok(sqlx::query_scalar(
                    "UPDATE refresh_tokens SET blacklisted_at = $1
                     WHERE family = $2 AND blacklisted_at IS NULL RETURNING jti",
                )
                .bind(now)
                .bind(family)
                .fetch_all(&self.writer)
                .await?)
            }

            async fn revoke_user_tokens(&self, user_id: i64, at_micros: i64) -> Result<bool> {
                let mut tx = self.write_tx().await?;
                let done = sqlx::query(
                    "UPDATE users SET logged_out_at = $1, revoke_key = $2 WHERE id = $3",
                )
                .bind(at_micros)
                .bind($crate::new_revoke_key())
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
                revoke_issued_before(&mut tx, user_id, at_micros).await?;
                tx.commit().await?;
                self.users.forget(user_id);
                Ok(done.rows_affected() == 1)
            }

            async fn revoke_external_user_tokens(
                &self,
                user_id: i64,
                at_micros: i64,
            ) -> Result<()> {
                let mut tx = self.write_tx().await?;
                sqlx::query(
                    "INSERT INTO external_logouts (user_id, logged_out_at) VALUES ($1, $2)
                     ON CONFLICT (user_id) DO UPDATE SET logged_out_at = excluded.logged_out_at",
                )
                .bind(user_id)
                .bind(at_micros)
                .execute(&mut *tx)
                .await?;
                revoke_issued_before(&mut tx, user_id, at_micros).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn external_logged_out_at(&self, user_id: i64) -> Result<Option<i64>> {
                let sql = "SELECT logged_out_at FROM external_logouts WHERE user_id = $1";
                Ok(sqlx::query_scalar(sql)
                    .bind(user_id)
                    .fetch_optional(&self.reader)
                    .await?)
            }

            async fn record_issued_after_logout(
                &self,
                jti: &str,
                user_id: i64,
                expires_at: i64,
            ) -> Result<()> {
                sqlx::query(
                    "INSERT INTO issued_after_logout (jti, user_id, expires_at)
                     VALUES ($1, $2, $3) ON CONFLICT (jti) DO NOTHING",
                )
                .bind(jti)
                .bind(user_id)
                .bind(expires_at)
                .execute(&self.writer)
                .await?;
                Ok(())
            }

            async fn issued_after_logout(&self, jti: &str, user_id: i64) -> Result<bool> {
                let sql = "SELECT 1 FROM issued_after_logout WHERE jti = $1 AND user_id = $2";
                let found: Option<i32> = sqlx::query_scalar(sql)
                    .bind(jti)
                    .bind(user_id)
                    .fetch_optional(&self.reader)
                    .await?;
                Ok(found.is_some())
            }

            async fn flush_expired(&self, expired_before: i64, batch: u32) -> Result<u64> {
                // One bounded batch per call (one short write transaction), so a large flush
                // never holds the write lock for long while the server keeps serving. Records of
                // tokens issued after a logout go when their token does, and sessions when
                // their family's last token has.
                let mut removed = [0; 3];
                for (sql, count) in [
                    "DELETE FROM refresh_tokens WHERE jti IN
                         (SELECT jti FROM refresh_tokens WHERE expires_at < $1 LIMIT $2)",
                    "DELETE FROM issued_after_logout WHERE jti IN
                         (SELECT jti FROM issued_after_logout WHERE expires_at < $1 LIMIT $2)",
                    "DELETE FROM sessions WHERE id IN
                         (SELECT id FROM sessions s WHERE s.created_at < $1 AND NOT EXISTS
                             (SELECT 1 FROM refresh_tokens t WHERE t.family = s.family)
                          LIMIT $2)",
                ]
                .into_iter()
                .zip(&mut removed)
                {
                    let statement = sqlx::query(sql).bind(expired_before);
                    *count = statement
                        .bind(i64::from(batch))
                        .execute(&self.writer)
                        .await?
                        .rows_affected();
                }
                Ok(removed[0])
            }
        }
    };
}
