//! One user at a time, from a live Django database: what serving a Django site's users in place
//! needs (issue 13's Django-database mode) — the user a login or a token names, with its groups,
//! read fresh on every call so a change made in Django counts at once; and the two writes jwtd
//! may make, `last_login` and a re-hashed password.

use sqlx::AnyPool;

use crate::dialect::Dialect;
use crate::read::{DjangoUser, user_from_row, user_select};
use crate::schema::{self, UserSchema};
use crate::{DjangoDb, ReadOptions, Result};

/// The user table of a live Django site, its statements prepared once.
pub struct LiveUsers {
    pool: AnyPool,
    dialect: Dialect,
    schema: UserSchema,
    by_id: String,
    by_username: Option<String>,
    by_email: Option<String>,
    groups: Option<String>,
}

impl DjangoDb {
    /// Finds the user table (as [`DjangoDb::read`] does) and prepares its lookups.
    pub async fn live_users(&self, options: &ReadOptions) -> Result<LiveUsers> {
        let schema = schema::user_schema(&self.pool, self.dialect, options).await?;
        let dialect = self.dialect;
        let select = user_select(dialect, &schema);
        let p1 = dialect.placeholder(1);
        let groups = schema.groups.as_ref().map(|groups| {
            format!(
                "SELECT {} FROM {} m JOIN auth_group g ON g.id = m.group_id \
                 WHERE m.{} = {p1} ORDER BY g.name",
                dialect.text("g.name"),
                groups.table,
                groups.user_column,
            )
        });
        // Exact, as Django's ModelBackend (`get_by_natural_key`) and `objects.get` match; an
        // email case-insensitively, as jwtd's own email logins (and the exchanger seed's site)
        // match. Two rows are fetched so a value that is not unique (`auth_user.email`, or two
        // addresses differing in case) names nobody.
        let by_email = schema
            .has("email")
            .then(|| format!("{select} WHERE UPPER(email) = UPPER({p1}) LIMIT 2"));
        Ok(LiveUsers {
            pool: self.pool.clone(),
            dialect,
            by_username: schema
                .has("username")
                .then(|| format!("{select} WHERE username = {p1} LIMIT 2")),
            by_email,
            by_id: format!("{select} WHERE id = {p1}"),
            groups,
            schema,
        })
    }
}

impl LiveUsers {
    pub fn schema(&self) -> &UserSchema {
        &self.schema
    }

    pub async fn by_id(&self, id: i64) -> Result<Option<DjangoUser>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(self.by_id.as_str()))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        self.with_groups(row).await
    }

    /// The user whose `username` is `username`, exactly (none when the model has no such
    /// column).
    pub async fn by_username(&self, username: &str) -> Result<Option<DjangoUser>> {
        match &self.by_username {
            Some(query) => self.the_one(query, username).await,
            None => Ok(None),
        }
    }

    /// The one user whose `email` is `email`, ignoring case; none when several share it.
    pub async fn by_email(&self, email: &str) -> Result<Option<DjangoUser>> {
        match &self.by_email {
            Some(query) => self.the_one(query, email).await,
            None => Ok(None),
        }
    }

    async fn the_one(&self, query: &str, value: &str) -> Result<Option<DjangoUser>> {
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(query))
            .bind(value)
            .fetch_all(&self.pool)
            .await?;
        match rows.len() {
            1 => self.with_groups(rows.pop()).await,
            _ => Ok(None),
        }
    }

    /// Closes the connections.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Answers when the database does.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn with_groups(&self, row: Option<sqlx::any::AnyRow>) -> Result<Option<DjangoUser>> {
        let Some(row) = row else {
            return Ok(None);
        };
        let mut user = user_from_row(&row)?;
        if let (Some(groups), Ok(id)) = (&self.groups, user.id.parse::<i64>()) {
            user.groups = sqlx::query_scalar(sqlx::AssertSqlSafe(groups.as_str()))
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
        }
        Ok(Some(user))
    }

    /// Django's `update_last_login`: `last_login` = `at` (epoch seconds, UTC).
    pub async fn record_login(&self, id: i64, at: i64) -> Result<()> {
        let query = format!(
            "UPDATE {} SET last_login = {} WHERE id = {}",
            self.schema.table,
            self.dialect.timestamp(&self.dialect.placeholder(1)),
            self.dialect.placeholder(2),
        );
        sqlx::query(sqlx::AssertSqlSafe(query))
            .bind(at)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Replaces the password hash with `new` while it is still `old` (a password changed in
    /// Django meanwhile is left alone); whether it did.
    pub async fn replace_password(&self, id: i64, old: &str, new: &str) -> Result<bool> {
        let p = |n| self.dialect.placeholder(n);
        let query = format!(
            "UPDATE {} SET password = {} WHERE id = {} AND password = {}",
            self.schema.table,
            p(1),
            p(2),
            p(3)
        );
        let done = sqlx::query(sqlx::AssertSqlSafe(query))
            .bind(new)
            .bind(id)
            .bind(old)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
