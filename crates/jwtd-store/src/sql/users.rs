//! SQL of [`UserStore`](crate::UserStore): the `users` table.

use crate::{NewUser, StoreError, User};

/// The `users` columns as selected (see `user_columns!`).
#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: i64,
    username: String,
    email: String,
    password: String,
    is_active: bool,
    /// A JSON list of role names.
    roles: String,
    last_login: Option<i64>,
    date_joined: i64,
    revoke_key: String,
    logged_out_at: Option<i64>,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;

    fn try_from(row: UserRow) -> Result<User, StoreError> {
        let roles = serde_json::from_str(&row.roles).map_err(|e| {
            StoreError::Corrupt(format!("roles of user {} are not a JSON list: {e}", row.id))
        })?;
        Ok(User {
            id: row.id,
            username: row.username,
            email: row.email,
            password: row.password,
            is_active: row.is_active,
            roles,
            last_login: row.last_login,
            date_joined: row.date_joined,
            revoke_key: row.revoke_key,
            logged_out_at: row.logged_out_at,
        })
    }
}

/// Maps a unique-constraint failure on `users` to the field that collided.
pub(crate) fn user_conflict(err: sqlx::Error, user: &NewUser) -> StoreError {
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

/// The columns of [`UserRow`], for `concat!` (sqlx wants the SQL as one static string).
macro_rules! user_columns {
    () => {
        "id, username, email, password, is_active, roles, last_login, date_joined, revoke_key, \
         logged_out_at"
    };
}

macro_rules! users_sql {
    ($store:ident, $db:ty) => {
        impl $store {
            /// The one user `sql` selects by `value`, read fresh.
            async fn user_where<T>(&self, sql: &'static str, value: T) -> Result<Option<User>>
            where
                T: for<'q> sqlx::Encode<'q, $db> + sqlx::Type<$db> + Send,
            {
                // Every fresh read refreshes the cache (a login reads by name: the user it
                // finds is then the one its tokens are checked against).
                let (generation, started) = (self.users.generation(), std::time::Instant::now());
                let user = sqlx::query_as::<_, $crate::sql::UserRow>(sql)
                    .bind(value)
                    .fetch_optional(&self.reader)
                    .await?
                    .map(User::try_from)
                    .transpose()?;
                if let Some(user) = &user {
                    self.users.put(generation, started, user);
                }
                Ok(user)
            }
        }

        #[async_trait::async_trait]
        impl $crate::UserStore for $store {
            async fn create_user(&self, user: NewUser, now: i64) -> Result<User> {
                let roles =
                    serde_json::to_string(&user.roles).expect("a list of strings serializes");
                let sql = concat!(
                    "INSERT INTO users
                         (username, email, email_key, password, is_active, roles, date_joined,
                          revoke_key)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ",
                    user_columns!()
                );
                sqlx::query_as::<_, $crate::sql::UserRow>(sql)
                    .bind(&user.username)
                    .bind(&user.email)
                    .bind(user.email.to_lowercase())
                    .bind(&user.password)
                    .bind(user.is_active)
                    .bind(roles)
                    .bind(now)
                    .bind($crate::new_revoke_key())
                    .fetch_one(&self.writer)
                    .await
                    .map_err(|e| $crate::sql::user_conflict(e, &user))?
                    .try_into()
            }

            async fn user_by_id(&self, id: i64) -> Result<Option<User>> {
                if let Some(user) = self.users.get(id) {
                    return Ok(Some(user));
                }
                let sql = concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1");
                self.user_where(sql, id).await
            }

            async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
                let sql = concat!(
                    "SELECT ",
                    user_columns!(),
                    " FROM users WHERE username = $1"
                );
                self.user_where(sql, username).await
            }

            async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
                if email.is_empty() {
                    return Ok(None);
                }
                // `email_key <> ''` repeats the partial unique index's condition: with a bound
                // value the planner cannot prove it, and would scan the table instead.
                let sql = concat!(
                    "SELECT ",
                    user_columns!(),
                    " FROM users WHERE email_key = $1 AND email_key <> ''"
                );
                self.user_where(sql, email.to_lowercase()).await
            }

            async fn list_users(&self) -> Result<Vec<User>> {
                let sql = concat!("SELECT ", user_columns!(), " FROM users ORDER BY id");
                sqlx::query_as::<_, $crate::sql::UserRow>(sql)
                    .fetch_all(&self.reader)
                    .await?
                    .into_iter()
                    .map(User::try_from)
                    .collect()
            }

            async fn search_users(&self, query: &$crate::UserQuery) -> Result<(u64, Vec<User>)> {
                // One WHERE clause for the count and the page; an absent filter is a NULL
                // parameter that matches everything.
                const WHERE: &str = "WHERE ($1 IS NULL OR lower(username) LIKE $1 ESCAPE '\\'
                                            OR email_key LIKE $1 ESCAPE '\\')
                                       AND ($2 IS NULL OR is_active = $2)
                                       AND ($3 IS NULL OR roles LIKE $3 ESCAPE '\\')";
                let search = query
                    .search
                    .as_deref()
                    .map(|s| format!("%{}%", $crate::sql::like_escape(&s.to_lowercase())));
                let role = query.role.as_deref().map(|r| {
                    let quoted = serde_json::to_string(r).expect("a string serializes");
                    format!("%{}%", $crate::sql::like_escape(&quoted))
                });
                let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                    "SELECT count(*) FROM users {WHERE}"
                )))
                .bind(&search)
                .bind(query.is_active)
                .bind(&role)
                .fetch_one(&self.reader)
                .await?;
                let page = format!(
                    "SELECT {} FROM users {WHERE} ORDER BY id LIMIT $4 OFFSET $5",
                    user_columns!()
                );
                let users = sqlx::query_as::<_, $crate::sql::UserRow>(sqlx::AssertSqlSafe(page))
                    .bind(&search)
                    .bind(query.is_active)
                    .bind(&role)
                    .bind(query.limit as i64)
                    .bind(query.offset as i64)
                    .fetch_all(&self.reader)
                    .await?
                    .into_iter()
                    .map(User::try_from)
                    .collect::<Result<Vec<_>>>()?;
                Ok((count as u64, users))
            }

            async fn update_user(
                &self,
                id: i64,
                changes: &$crate::UserChanges,
            ) -> Result<Option<User>> {
                let roles = changes
                    .roles
                    .as_ref()
                    .map(|r| serde_json::to_string(r).expect("a list of strings serializes"));
                let sql = concat!(
                    "UPDATE users SET username = COALESCE($1, username),
                         email = COALESCE($2, email), email_key = COALESCE($3, email_key),
                         roles = COALESCE($4, roles), is_active = COALESCE($5, is_active)
                     WHERE id = $6 RETURNING ",
                    user_columns!()
                );
                let conflict = NewUser {
                    username: changes.username.clone().unwrap_or_default(),
                    email: changes.email.clone().unwrap_or_default(),
                    password: String::new(),
                    is_active: true,
                    roles: Vec::new(),
                };
                let updated = sqlx::query_as::<_, $crate::sql::UserRow>(sql)
                    .bind(&changes.username)
                    .bind(&changes.email)
                    .bind(changes.email.as_ref().map(|e| e.to_lowercase()))
                    .bind(roles)
                    .bind(changes.is_active)
                    .bind(id)
                    .fetch_optional(&self.writer)
                    .await
                    .map_err(|e| $crate::sql::user_conflict(e, &conflict))?;
                self.users.forget(id);
                updated.map(User::try_from).transpose()
            }

            async fn set_password(&self, id: i64, password: &str) -> Result<bool> {
                let sql = "UPDATE users SET password = $1, revoke_key = $2 WHERE id = $3";
                let done = sqlx::query(sql)
                    .bind(password)
                    .bind($crate::new_revoke_key())
                    .bind(id)
                    .execute(&self.writer)
                    .await?;
                self.users.forget(id);
                Ok(done.rows_affected() == 1)
            }

            async fn upgrade_password_hash(&self, id: i64, old: &str, new: &str) -> Result<bool> {
                let sql = "UPDATE users SET password = $1 WHERE id = $2 AND password = $3";
                let done = sqlx::query(sql)
                    .bind(new)
                    .bind(id)
                    .bind(old)
                    .execute(&self.writer)
                    .await?;
                self.users.forget(id);
                Ok(done.rows_affected() == 1)
            }

            async fn set_active(&self, id: i64, active: bool) -> Result<bool> {
                let done = sqlx::query("UPDATE users SET is_active = $1 WHERE id = $2")
                    .bind(active)
                    .bind(id)
                    .execute(&self.writer)
                    .await?;
                self.users.forget(id);
                Ok(done.rows_affected() == 1)
            }

            async fn delete_user(&self, id: i64) -> Result<bool> {
                let done = sqlx::query("DELETE FROM users WHERE id = $1")
                    .bind(id)
                    .execute(&self.writer)
                    .await?;
                self.users.forget(id);
                Ok(done.rows_affected() == 1)
            }

            async fn record_login(&self, id: i64, now: i64) -> Result<()> {
                sqlx::query("UPDATE users SET last_login = $1 WHERE id = $2")
                    .bind(now)
                    .bind(id)
                    .execute(&self.writer)
                    .await?;
                self.users.forget(id);
                Ok(())
            }
        }
    };
}
