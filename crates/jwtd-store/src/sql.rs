//! The SQL both backends share. SQLite and PostgreSQL understand the same statements here
//! (`$n` parameters, `ON CONFLICT`, `RETURNING`, partial indexes), so one implementation of
//! [`Store`](crate::Store) is stamped out per backend by [`sql_store!`]; each backend module
//! only opens its pools and begins its write transactions.

/// The user columns, in `user_from_row`'s order, around a statement's head and tail
/// (`concat!` keeps the SQL a static string, which sqlx requires).
macro_rules! user_sql {
    ($head:literal, $tail:literal) => {
        concat!(
            $head,
            " id, username, email, password, is_active, roles, last_login, date_joined, revoke_key, \
             revoked_before ",
            $tail
        )
    };
}

/// Implements `Store` for `$store`, a type with `reader` and `writer` pools of database `$db`
/// (rows `$row`) and inherent `write_tx()` and `pools()` (each distinct pool once).
macro_rules! sql_store {
    ($store:ident, $db:ty, $row:ty) => {
        fn user_from_row(row: &$row) -> Result<User> {
            let roles: String = row.try_get("roles")?;
            Ok(User {
                id: row.try_get("id")?,
                username: row.try_get("username")?,
                email: row.try_get("email")?,
                password: row.try_get("password")?,
                is_active: row.try_get("is_active")?,
                roles: serde_json::from_str(&roles).unwrap_or_default(),
                last_login: row.try_get("last_login")?,
                date_joined: row.try_get("date_joined")?,
                revoke_key: row.try_get("revoke_key")?,
                revoked_before: row.try_get("revoked_before")?,
            })
        }

        /// Maps a unique-constraint failure on `users` to the field that collided.
        fn user_conflict(err: sqlx::Error, user: &NewUser) -> StoreError {
            if let sqlx::Error::Database(db) = &err
                && db.is_unique_violation()
            {
                return if db.message().contains("email") {
                    StoreError::EmailTaken(user.email.clone())
                } else {
                    StoreError::UsernameTaken(user.username.clone())
                };
            }
            StoreError::Database(err)
        }

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

        impl $store {
            async fn user_where(&self, sql: &'static str, value: &str) -> Result<Option<User>> {
                let row = sqlx::query(sql)
                    .bind(value)
                    .fetch_optional(&self.reader)
                    .await?;
                row.map(|r| user_from_row(&r)).transpose()
            }
        }

        #[async_trait::async_trait]
        impl $crate::Store for $store {
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
                let applied: Option<i64> = sqlx::query(
                    "SELECT MAX(version) FROM _sqlx_migrations WHERE success",
                )
                .fetch_one(&self.reader)
                .await?
                .try_get(0)?;
                Ok(applied.unwrap_or(0) >= latest)
            }

            async fn close(&self) {
                self.reader.close().await;
                self.writer.close().await;
            }

            async fn create_user(&self, user: NewUser, now: i64) -> Result<User> {
                let roles = serde_json::to_string(&user.roles).expect("a list of strings serializes");
                let row = sqlx::query(user_sql!(
                    "INSERT INTO users
                         (username, email, email_key, password, is_active, roles, date_joined, revoke_key)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING",
                    ""
                ))
                .bind(&user.username)
                .bind(&user.email)
                .bind(user.email.to_lowercase())
                .bind(&user.password)
                .bind(user.is_active)
                .bind(roles)
                .bind(now)
                .bind(new_revoke_key())
                .fetch_one(&self.writer)
                .await
                .map_err(|e| user_conflict(e, &user))?;
                user_from_row(&row)
            }

            async fn user_by_id(&self, id: i64) -> Result<Option<User>> {
                let sql = user_sql!("SELECT", "FROM users WHERE id = $1");
                let row = sqlx::query(sql)
                    .bind(id)
                    .fetch_optional(&self.reader)
                    .await?;
                row.map(|r| user_from_row(&r)).transpose()
            }

            async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
                self.user_where(
                    user_sql!("SELECT", "FROM users WHERE username = $1"),
                    username,
                )
                .await
            }

            async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
                if email.is_empty() {
                    return Ok(None);
                }
                self.user_where(
                    user_sql!("SELECT", "FROM users WHERE email_key = $1"),
                    &email.to_lowercase(),
                )
                .await
            }

            async fn list_users(&self) -> Result<Vec<User>> {
                let sql = user_sql!("SELECT", "FROM users ORDER BY id");
                let rows = sqlx::query(sql).fetch_all(&self.reader).await?;
                rows.iter().map(user_from_row).collect()
            }

            async fn set_password(&self, id: i64, password: &str) -> Result<bool> {
                let done = sqlx::query("UPDATE users SET password = $1, revoke_key = $2 WHERE id = $3")
                    .bind(password)
                    .bind(new_revoke_key())
                    .bind(id)
                    .execute(&self.writer)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn upgrade_password_hash(&self, id: i64, old: &str, new: &str) -> Result<bool> {
                let done = sqlx::query("UPDATE users SET password = $1 WHERE id = $2 AND password = $3")
                    .bind(new)
                    .bind(id)
                    .bind(old)
                    .execute(&self.writer)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn set_active(&self, id: i64, active: bool) -> Result<bool> {
                let done = sqlx::query("UPDATE users SET is_active = $1 WHERE id = $2")
                    .bind(active)
                    .bind(id)
                    .execute(&self.writer)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn delete_user(&self, id: i64) -> Result<bool> {
                let done = sqlx::query("DELETE FROM users WHERE id = $1")
                    .bind(id)
                    .execute(&self.writer)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn record_login(&self, id: i64, now: i64) -> Result<()> {
                sqlx::query("UPDATE users SET last_login = $1 WHERE id = $2")
                    .bind(now)
                    .bind(id)
                    .execute(&self.writer)
                    .await?;
                Ok(())
            }

            async fn add_refresh_token(&self, token: &RefreshToken, now: i64) -> Result<()> {
                let mut tx = self.write_tx().await?;
                insert_if_absent(&mut tx, token, now).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn is_blacklisted(&self, jti: &str) -> Result<bool> {
                let row =
                    sqlx::query("SELECT blacklisted_at IS NOT NULL FROM refresh_tokens WHERE jti = $1")
                        .bind(jti)
                        .fetch_optional(&self.reader)
                        .await?;
                Ok(match row {
                    Some(r) => r.try_get::<bool, _>(0)?,
                    None => false,
                })
            }

            async fn blacklist(&self, token: &RefreshToken, now: i64) -> Result<bool> {
                let mut tx = self.write_tx().await?;
                insert_if_absent(&mut tx, token, now).await?;
                let done = sqlx::query(
                    "UPDATE refresh_tokens SET blacklisted_at = $1 WHERE jti = $2 AND blacklisted_at IS NULL",
                )
                .bind(now)
                .bind(&token.jti)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }

            async fn flush_expired(&self, expired_before: i64, batch: u32) -> Result<u64> {
                // One bounded batch per call (one short write transaction), so a large flush
                // never holds the write lock for long while the server keeps serving.
                let done = sqlx::query(
                    "DELETE FROM refresh_tokens WHERE jti IN
                         (SELECT jti FROM refresh_tokens WHERE expires_at < $1 LIMIT $2)",
                )
                .bind(expired_before)
                .bind(i64::from(batch))
                .execute(&self.writer)
                .await?;
                Ok(done.rows_affected())
            }

            async fn rotate(
                &self,
                old: &RefreshToken,
                new: &RefreshToken,
                blacklist_old: bool,
                now: i64,
            ) -> Result<Rotation> {
                let mut tx = self.write_tx().await?;
                insert_if_absent(&mut tx, old, now).await?;
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
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    tx.rollback().await?;
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
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(Rotation::Rotated)
            }

            async fn token_state(&self, jti: &str) -> Result<Option<TokenState>> {
                let row = sqlx::query(
                    "SELECT family, rotated_at, blacklisted_at FROM refresh_tokens WHERE jti = $1",
                )
                .bind(jti)
                .fetch_optional(&self.reader)
                .await?;
                row.map(|r| {
                    Ok(TokenState {
                        family: r.try_get("family")?,
                        rotated_at: r.try_get("rotated_at")?,
                        blacklisted_at: r.try_get("blacklisted_at")?,
                    })
                })
                .transpose()
            }

            async fn revoke_family(&self, family: &str, now: i64) -> Result<u64> {
                let done = sqlx::query(
                    "UPDATE refresh_tokens SET blacklisted_at = $1
                     WHERE family = $2 AND blacklisted_at IS NULL",
                )
                .bind(now)
                .bind(family)
                .execute(&self.writer)
                .await?;
                Ok(done.rows_affected())
            }

            async fn revoke_user_tokens(&self, user_id: i64, now: i64) -> Result<bool> {
                let mut tx = self.write_tx().await?;
                let done = sqlx::query(
                    "UPDATE users SET revoked_before = $1, revoke_key = $2 WHERE id = $3",
                )
                .bind(now)
                .bind(new_revoke_key())
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE refresh_tokens SET blacklisted_at = $1
                     WHERE user_id = $2 AND blacklisted_at IS NULL",
                )
                .bind(now)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }

            async fn begin_login_attempt(
                &self,
                key: &str,
                policy: &ThrottlePolicy,
                now: i64,
            ) -> Result<Attempt> {
                let mut tx = self.write_tx().await?;
                sqlx::query(
                    "INSERT INTO login_failures (key, failures, lock_secs, locked_until, last_failure_at)
                     VALUES ($1, 0, 0, 0, $2) ON CONFLICT (key) DO NOTHING",
                )
                .bind(key)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                // One statement counts the attempt and sets the next back-off, so concurrent
                // attempts are serialized on the row: each sees the previous one's lock. Old
                // failures (quiet for `window`) start the count afresh.
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
                    let until: i64 =
                        sqlx::query("SELECT locked_until FROM login_failures WHERE key = $1")
                            .bind(key)
                            .fetch_one(&mut *tx)
                            .await?
                            .try_get(0)?;
                    Attempt::Blocked {
                        retry_after: (until - now).max(1),
                    }
                };
                tx.commit().await?;
                Ok(attempt)
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
    };
}
