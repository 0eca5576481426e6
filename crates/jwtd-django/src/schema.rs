//! Finding the user model's table in a Django database, its columns and its groups table.
//!
//! `AUTH_USER_MODEL` lives in Python settings, so the table is found from the database itself:
//! the table SimpleJWT's `token_blacklist_outstandingtoken.user_id` points at, else the one a
//! `<table>_groups` many-to-many table belongs to, else `auth_user`.

use sqlx::AnyPool;

use crate::dialect::Dialect;
use crate::{DjangoError, ReadOptions, Result, identifier};

/// The user table as the reader uses it.
#[derive(Clone, Debug)]
pub struct UserSchema {
    pub table: String,
    pub columns: Vec<String>,
    /// The column users log in with.
    pub login: String,
    pub groups: Option<GroupsTable>,
}

impl UserSchema {
    pub fn has(&self, column: &str) -> bool {
        self.columns.iter().any(|c| c == column)
    }
}

/// `<user table>_groups`: (id, `<model>_id`, group_id).
#[derive(Clone, Debug)]
pub struct GroupsTable {
    pub table: String,
    pub user_column: String,
}

pub async fn user_schema(
    pool: &AnyPool,
    dialect: Dialect,
    options: &ReadOptions,
) -> Result<UserSchema> {
    let table = match &options.user_table {
        Some(table) => identifier(table)?.to_owned(),
        None => discover_user_table(pool, dialect).await?,
    };
    let columns = columns(pool, dialect, &table).await?;
    if !columns.iter().any(|c| c == "password") {
        return Err(DjangoError::NotAUserTable(table));
    }
    let login = match &options.login_field {
        Some(field) => identifier(field)?.to_owned(),
        None if columns.iter().any(|c| c == "username") => "username".to_owned(),
        None => "email".to_owned(),
    };
    if !columns.contains(&login) {
        return Err(DjangoError::NoColumn {
            table,
            column: login,
        });
    }
    let groups = if options.groups {
        groups_table(pool, dialect, &table).await?
    } else {
        None
    };
    Ok(UserSchema {
        table,
        columns,
        login,
        groups,
    })
}

/// The column names of `table`; empty when there is no such table.
pub async fn columns(pool: &AnyPool, dialect: Dialect, table: &str) -> Result<Vec<String>> {
    let query = dialect.columns_query(identifier(table)?);
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(query))
        .fetch_all(pool)
        .await?)
}

async fn discover_user_table(pool: &AnyPool, dialect: Dialect) -> Result<String> {
    let query = dialect.foreign_key_query("token_blacklist_outstandingtoken", "user_id");
    let target: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(query))
        .fetch_optional(pool)
        .await?;
    if let Some(table) = target {
        return Ok(table);
    }
    let candidates: Vec<String> = sqlx::query_scalar(dialect.groups_tables_query())
        .fetch_all(pool)
        .await?;
    for m2m in candidates {
        let Some(owner) = m2m.strip_suffix("_groups") else {
            continue;
        };
        if identifier(owner).is_err() || owner == "auth" {
            continue;
        }
        let owner_columns = columns(pool, dialect, owner).await?;
        if owner_columns.iter().any(|c| c == "password") {
            return Ok(owner.to_owned());
        }
    }
    if columns(pool, dialect, "auth_user").await?.is_empty() {
        Err(DjangoError::NoUserTable)
    } else {
        Ok("auth_user".to_owned())
    }
}

/// `<table>_groups` and its column naming the user (`user_id`, or `<model>_id` for a custom
/// model), when the model has groups (`PermissionsMixin`) and `auth_group` exists.
async fn groups_table(
    pool: &AnyPool,
    dialect: Dialect,
    table: &str,
) -> Result<Option<GroupsTable>> {
    let m2m = format!("{table}_groups");
    let m2m_columns = columns(pool, dialect, &m2m).await?;
    if columns(pool, dialect, "auth_group").await?.is_empty() {
        return Ok(None);
    }
    let user_column = m2m_columns
        .into_iter()
        .find(|c| c != "id" && c != "group_id" && c.ends_with("_id"));
    Ok(user_column.map(|user_column| GroupsTable {
        table: m2m,
        user_column,
    }))
}
