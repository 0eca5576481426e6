//! SimpleJWT's blacklist tables in a live Django site (`rest_framework_simplejwt.token_blacklist`:
//! `token_blacklist_outstandingtoken`, `token_blacklist_blacklistedtoken`), shared with the site:
//! the rows jwtd writes are the ones SimpleJWT's `outstand()` and `blacklist()` write, so the
//! site's views, its admin and `flushexpiredtokens` see jwtd's tokens, and jwtd sees what the
//! site blacklisted.

use sqlx::AnyPool;

use crate::dialect::Dialect;
use crate::{DjangoDb, Result, schema};

const OUTSTANDING: &str = "token_blacklist_outstandingtoken";
const BLACKLISTED: &str = "token_blacklist_blacklistedtoken";

/// A refresh or sliding token as an `OutstandingToken` row records it.
#[derive(Clone, Copy, Debug)]
pub struct Outstanding<'a> {
    pub jti: &'a str,
    /// The user the token names; recorded only while the site has that user (SimpleJWT looks
    /// the user up and records `None` when it is gone).
    pub user_id: Option<i64>,
    /// The encoded token (`str(token)`).
    pub token: &'a str,
    /// Epoch seconds: when the token was issued (`token.current_time`) …
    pub created_at: i64,
    /// … and its `exp`.
    pub expires_at: i64,
}

/// The site's blacklist tables, their statements prepared once.
pub struct SharedBlacklist {
    pool: AnyPool,
    outstand: String,
    blacklist_jti: String,
    blacklist_user: String,
    blacklisted_at: String,
}

impl DjangoDb {
    /// SimpleJWT's blacklist tables, if the site has them (the app is installed and migrated).
    /// `user_table` is the table `OutstandingToken.user` points at.
    pub async fn shared_blacklist(&self, user_table: &str) -> Result<Option<SharedBlacklist>> {
        let has = |columns: Vec<String>, needed: &[&str]| {
            needed.iter().all(|c| columns.iter().any(|have| have == c))
        };
        let outstanding = schema::columns(&self.pool, self.dialect, OUTSTANDING).await?;
        let blacklisted = schema::columns(&self.pool, self.dialect, BLACKLISTED).await?;
        if !has(
            outstanding,
            &["jti", "token", "user_id", "created_at", "expires_at"],
        ) || !has(blacklisted, &["token_id", "blacklisted_at"])
        {
            return Ok(None);
        }
        Ok(Some(SharedBlacklist::prepare(
            self.pool.clone(),
            self.dialect,
            crate::identifier(user_table)?,
        )))
    }
}

impl SharedBlacklist {
    fn prepare(pool: AnyPool, dialect: Dialect, user_table: &str) -> SharedBlacklist {
        let p = |n| dialect.placeholder(n);
        let at = |n| dialect.timestamp(&p(n));
        // `get_or_create(jti=…, defaults={user, created_at, token, expires_at})`.
        let outstand = dialect.insert_unless_present(&format!(
            "{OUTSTANDING} (jti, user_id, token, created_at, expires_at) \
             SELECT {}, (SELECT id FROM {user_table} WHERE id = {}), {}, {}, {} \
             FROM (SELECT 1) AS one WHERE 1 = 1",
            p(1),
            p(2),
            p(3),
            at(4),
            at(5),
        ));
        // `BlacklistedToken.objects.get_or_create(token=…)`, `blacklisted_at` = now.
        let blacklist_where = |condition: &str| {
            dialect.insert_unless_present(&format!(
                "{BLACKLISTED} (token_id, blacklisted_at) \
                 SELECT id, {} FROM {OUTSTANDING} WHERE {condition}",
                at(1),
            ))
        };
        SharedBlacklist {
            outstand,
            blacklist_jti: blacklist_where(&format!("jti = {}", p(2))),
            blacklist_user: blacklist_where(&format!(
                "user_id = {} AND expires_at > {}",
                p(2),
                at(3)
            )),
            // SimpleJWT's `BlacklistedToken.objects.filter(token__jti=jti).exists()`.
            blacklisted_at: format!(
                "SELECT {} FROM {BLACKLISTED} b JOIN {OUTSTANDING} o ON o.id = b.token_id \
                 WHERE o.jti = {}",
                dialect.epoch("b.blacklisted_at"),
                p(1)
            ),
            pool,
        }
    }

    /// SimpleJWT's `outstand()`: records the token unless it is already recorded.
    pub async fn outstand(&self, token: &Outstanding<'_>) -> Result<()> {
        sqlx::query(sqlx::AssertSqlSafe(self.outstand.as_str()))
            .bind(token.jti)
            .bind(token.user_id)
            .bind(token.token)
            .bind(token.created_at)
            .bind(token.expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// SimpleJWT's `blacklist()`: records the token if needed, then blacklists it at `now`
    /// unless it already is.
    pub async fn blacklist(&self, token: &Outstanding<'_>, now: i64) -> Result<()> {
        self.outstand(token).await?;
        self.blacklist_jtis(&[token.jti], now).await
    }

    /// Blacklists the recorded tokens among `jtis` (a revoked login family).
    pub async fn blacklist_jtis(&self, jtis: &[&str], now: i64) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for jti in jtis {
            sqlx::query(sqlx::AssertSqlSafe(self.blacklist_jti.as_str()))
                .bind(now)
                .bind(*jti)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Blacklists every unexpired recorded token of a user ("log out everywhere").
    pub async fn blacklist_user(&self, user_id: i64, now: i64) -> Result<()> {
        sqlx::query(sqlx::AssertSqlSafe(self.blacklist_user.as_str()))
            .bind(now)
            .bind(user_id)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// When the site (or jwtd) blacklisted the token (epoch seconds), if it did.
    pub async fn blacklisted_at(&self, jti: &str) -> Result<Option<i64>> {
        let at: Option<Option<i64>> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(self.blacklisted_at.as_str()))
                .bind(jti)
                .fetch_optional(&self.pool)
                .await?;
        Ok(at.flatten())
    }
}
