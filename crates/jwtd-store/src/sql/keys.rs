//! SQL of [`KeyStore`](crate::KeyStore): the `signing_keys` table.

macro_rules! keys_sql {
    ($store:ident) => {
        #[async_trait::async_trait]
        impl $crate::KeyStore for $store {
            async fn signing_keys(&self) -> Result<Vec<$crate::StoredKey>> {
                let rows: Vec<$crate::sql::keys::KeyRow> = sqlx::query_as(
                    "SELECT kid, algorithm, state, origin, public_jwk, sealed_private_key,
                            created_at, activated_at, retired_at
                     FROM signing_keys ORDER BY created_at, kid",
                )
                .fetch_all(&self.reader)
                .await?;
                rows.into_iter()
                    .map($crate::sql::keys::KeyRow::into_key)
                    .collect()
            }

            async fn add_signing_key(&self, key: &$crate::StoredKey) -> Result<bool> {
                let mut tx = self.write_tx().await?;
                // Conflicts with any unique rule (the kid, one current key, one automatic next
                // key) insert nothing.
                let done = sqlx::query(
                    "INSERT INTO signing_keys (kid, algorithm, state, origin, public_jwk,
                         sealed_private_key, created_at, activated_at, retired_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
                )
                .bind(&key.kid)
                .bind(&key.algorithm)
                .bind(key.state.as_str())
                .bind(key.origin.as_str())
                .bind(&key.public_jwk)
                .bind(&key.sealed_private_key)
                .bind(key.created_at)
                .bind(key.activated_at)
                .bind(key.retired_at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }

            async fn activate_signing_key(
                &self,
                kid: &str,
                replacing: Option<&str>,
                now: i64,
            ) -> Result<bool> {
                let mut tx = self.write_tx().await?;
                let retired = sqlx::query(
                    "UPDATE signing_keys SET state = 'retired', retired_at = $2
                     WHERE state = 'current' AND kid = $1",
                )
                .bind(replacing.unwrap_or_default())
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                let others: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM signing_keys WHERE state = 'current'")
                        .fetch_one(&mut *tx)
                        .await?;
                if retired != u64::from(replacing.is_some()) || others != 0 {
                    return Ok(false);
                }
                let activated = sqlx::query(
                    "UPDATE signing_keys SET state = 'current', activated_at = $2
                     WHERE kid = $1 AND state = 'next'",
                )
                .bind(kid)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if activated != 1 {
                    return Ok(false);
                }
                tx.commit().await?;
                Ok(true)
            }

            async fn remove_signing_key(&self, kid: &str, state: $crate::KeyState) -> Result<bool> {
                let mut tx = self.write_tx().await?;
                let done = sqlx::query("DELETE FROM signing_keys WHERE kid = $1 AND state = $2")
                    .bind(kid)
                    .bind(state.as_str())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }

            async fn remove_expired_keys(&self, retired_before: i64) -> Result<Vec<String>> {
                let mut tx = self.write_tx().await?;
                let kids: Vec<String> = sqlx::query_scalar(
                    "DELETE FROM signing_keys WHERE state = 'retired' AND retired_at < $1
                     RETURNING kid",
                )
                .bind(retired_before)
                .fetch_all(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(kids)
            }
        }
    };
}

#[derive(sqlx::FromRow)]
pub(crate) struct KeyRow {
    kid: String,
    algorithm: String,
    state: String,
    origin: String,
    public_jwk: String,
    sealed_private_key: String,
    created_at: i64,
    activated_at: Option<i64>,
    retired_at: Option<i64>,
}

impl KeyRow {
    pub(crate) fn into_key(self) -> crate::Result<crate::StoredKey> {
        let corrupt =
            |what: &str| crate::StoreError::Corrupt(format!("signing key {}: {what}", self.kid));
        let state = crate::KeyState::parse(&self.state).ok_or_else(|| corrupt("state"))?;
        let origin = crate::KeyOrigin::parse(&self.origin).ok_or_else(|| corrupt("origin"))?;
        Ok(crate::StoredKey {
            state,
            origin,
            kid: self.kid,
            algorithm: self.algorithm,
            public_jwk: self.public_jwk,
            sealed_private_key: self.sealed_private_key,
            created_at: self.created_at,
            activated_at: self.activated_at,
            retired_at: self.retired_at,
        })
    }
}
