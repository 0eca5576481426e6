//! SQL of [`Importer`](crate::Importer): batched reads of what exists, multi-row inserts.

/// A stored user as an import compares it.
#[derive(sqlx::FromRow)]
pub(crate) struct ExistingUser {
    pub id: i64,
    pub username: String,
    pub email_key: String,
    pub email: String,
    pub password: String,
    pub is_active: bool,
    pub roles: String,
    pub imported_password: Option<String>,
}

/// What differs between a stored user and the imported one, or why they are not the same user.
pub(crate) fn compare(
    existing: &ExistingUser,
    user: &crate::ImportedUser,
) -> Result<Vec<&'static str>, String> {
    if existing.username != user.account.username {
        return Err(format!(
            "id {} is jwtd user {:?}, not {:?}",
            user.id, existing.username, user.account.username
        ));
    }
    let mut changed = Vec::new();
    let password_changed = match &existing.imported_password {
        Some(imported) => *imported != user.account.password,
        None => existing.password != user.account.password,
    };
    if password_changed {
        changed.push("password");
    }
    if existing.email != user.account.email {
        changed.push("email");
    }
    if existing.is_active != user.account.is_active {
        changed.push("is_active");
    }
    let roles: Vec<String> = serde_json::from_str(&existing.roles).unwrap_or_default();
    if roles != user.account.roles {
        changed.push("roles");
    }
    Ok(changed)
}

/// Rows per statement: well under SQLite's and PostgreSQL's bind limits.
pub(crate) const BATCH: usize = 500;

macro_rules! import_sql {
    ($store:ident, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::Importer for $store {
            async fn import_users(
                &self,
                users: &[$crate::ImportedUser],
                dry_run: bool,
            ) -> Result<Vec<$crate::ImportAction>> {
                let mut tx = self.write_tx().await?;
                let mut actions = Vec::with_capacity(users.len());
                for batch in users.chunks($crate::sql::import::BATCH) {
                    actions.extend(Self::import_batch(&mut tx, batch).await?);
                }
                Self::ids_continue_after_max(&mut tx).await?;
                if dry_run {
                    tx.rollback().await?;
                } else {
                    tx.commit().await?;
                    self.users.forget_all();
                }
                Ok(actions)
            }

            async fn import_tokens(
                &self,
                tokens: &[$crate::ImportedToken],
                dry_run: bool,
            ) -> Result<$crate::import::TokenCounts> {
                let mut tx = self.write_tx().await?;
                let mut counts = $crate::import::TokenCounts::default();
                for batch in tokens.chunks($crate::sql::import::BATCH) {
                    let mut insert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO refresh_tokens (jti, user_id, family, created_at, expires_at) ",
                    );
                    insert.push_values(batch, |mut row, token| {
                        row.push_bind(token.jti.clone())
                            .push_bind(token.user_id)
                            .push_bind(token.jti.clone())
                            .push_bind(token.created_at)
                            .push_bind(token.expires_at);
                    });
                    insert.push(" ON CONFLICT (jti) DO NOTHING");
                    counts.recorded += insert.build().execute(&mut *tx).await?.rows_affected();
                    for token in batch {
                        let Some(at) = token.blacklisted_at else {
                            continue;
                        };
                        // `mark_blacklisted`: from `tokens_sql!`, expanded beside this.
                        if mark_blacklisted(&mut tx, &token.jti, at).await? {
                            counts.blacklisted += 1;
                        }
                    }
                }
                if dry_run {
                    tx.rollback().await?;
                } else {
                    tx.commit().await?;
                }
                Ok(counts)
            }
        }

        impl $store {
            /// The stored users with these ids, or with these usernames or email keys.
            async fn existing_users(
                tx: &mut sqlx::Transaction<'static, $db>,
                users: &[$crate::ImportedUser],
            ) -> Result<Vec<$crate::sql::import::ExistingUser>> {
                // A UNION of three lookups, each on its own index (an OR of IN lists would scan).
                const COLUMNS: &str = "SELECT id, username, email_key, email, password, \
                                       is_active, roles, imported_password FROM users WHERE ";
                let mut query = sqlx::QueryBuilder::<$db>::new(COLUMNS);
                query.push("id IN (");
                let mut ids = query.separated(", ");
                for user in users {
                    ids.push_bind(user.id);
                }
                query.push(") UNION ").push(COLUMNS).push("username IN (");
                let mut names = query.separated(", ");
                for user in users {
                    names.push_bind(user.account.username.clone());
                }
                query.push(") UNION ").push(COLUMNS).push("email_key IN (");
                let mut emails = query.separated(", ");
                for user in users {
                    emails.push_bind(user.account.email.to_lowercase());
                }
                // Repeats the partial index's condition, so the planner may use it.
                query.push(") AND email_key <> ''");
                Ok(query.build_query_as().fetch_all(&mut **tx).await?)
            }

            async fn import_batch(
                tx: &mut sqlx::Transaction<'static, $db>,
                users: &[$crate::ImportedUser],
            ) -> Result<Vec<$crate::ImportAction>> {
                use $crate::ImportAction;
                let existing = Self::existing_users(tx, users).await?;
                let mut actions = Vec::with_capacity(users.len());
                let mut created = Vec::new();
                for user in users {
                    let email_key = user.account.email.to_lowercase();
                    let taken_by_other = existing.iter().find(|e| {
                        e.id != user.id
                            && (e.username == user.account.username
                                || (!email_key.is_empty() && e.email_key == email_key))
                    });
                    if let Some(other) = taken_by_other {
                        actions.push(ImportAction::Conflict(format!(
                            "its username or email belongs to jwtd user {:?} (id {})",
                            other.username, other.id
                        )));
                        continue;
                    }
                    let Some(same) = existing.iter().find(|e| e.id == user.id) else {
                        created.push(user);
                        actions.push(ImportAction::Created);
                        continue;
                    };
                    match $crate::sql::import::compare(same, user) {
                        Err(reason) => actions.push(ImportAction::Conflict(reason)),
                        Ok(changed) if changed.is_empty() => actions.push(ImportAction::Unchanged),
                        Ok(changed) => {
                            Self::update_imported(tx, user, changed.contains(&"password")).await?;
                            actions.push(ImportAction::Updated(changed));
                        }
                    }
                }
                if !created.is_empty() {
                    let mut insert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO users (id, username, email, email_key, password, is_active, \
                         roles, last_login, date_joined, revoke_key, imported_password) ",
                    );
                    insert.push_values(created, |mut row, user| {
                        let roles = serde_json::to_string(&user.account.roles).expect("strings serialize");
                        row.push_bind(user.id)
                            .push_bind(user.account.username.clone())
                            .push_bind(user.account.email.clone())
                            .push_bind(user.account.email.to_lowercase())
                            .push_bind(user.account.password.clone())
                            .push_bind(user.account.is_active)
                            .push_bind(roles)
                            .push_bind(user.last_login)
                            .push_bind(user.date_joined)
                            .push_bind($crate::new_revoke_key())
                            .push_bind(user.account.password.clone());
                    });
                    insert.build().execute(&mut **tx).await?;
                }
                Ok(actions)
            }

            /// Applies Django's email, active flag and roles; the password only when Django's
            /// changed (with a new revocation value, as a password change does).
            async fn update_imported(
                tx: &mut sqlx::Transaction<'static, $db>,
                user: &$crate::ImportedUser,
                password: bool,
            ) -> Result<()> {
                let roles = serde_json::to_string(&user.account.roles).expect("strings serialize");
                sqlx::query(
                    "UPDATE users SET email = $1, email_key = $2, is_active = $3, roles = $4,
                         password = CASE WHEN $5 THEN $6 ELSE password END,
                         imported_password = CASE WHEN $5 THEN $6 ELSE imported_password END,
                         revoke_key = CASE WHEN $5 THEN $7 ELSE revoke_key END
                     WHERE id = $8",
                )
                .bind(&user.account.email)
                .bind(user.account.email.to_lowercase())
                .bind(user.account.is_active)
                .bind(roles)
                .bind(password)
                .bind(&user.account.password)
                .bind($crate::new_revoke_key())
                .bind(user.id)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }
        }
    };
}
