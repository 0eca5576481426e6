//! Reading the rows: users (with their groups) and SimpleJWT's tokens, as plain values.

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use crate::dialect::Dialect;
use crate::schema::{self, UserSchema};
use crate::{ReadOptions, Result};

/// A row of the user table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DjangoUser {
    /// The primary key as text: an integer, or a UUID the caller may refuse.
    pub id: String,
    /// The login column's value (`username`, or `email` for an email-login model).
    pub login: String,
    pub email: String,
    pub password: String,
    /// `true` when the model has no `is_active` column (`AbstractBaseUser`).
    pub is_active: bool,
    pub is_staff: bool,
    pub is_superuser: bool,
    pub last_login: Option<i64>,
    pub date_joined: Option<i64>,
    /// Group names, sorted.
    pub groups: Vec<String>,
}

/// A SimpleJWT outstanding token, with its blacklisting if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DjangoToken {
    pub jti: String,
    pub user_id: Option<String>,
    pub created_at: Option<i64>,
    pub expires_at: i64,
    pub blacklisted_at: Option<i64>,
}

/// Everything read, and how the user table was understood.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub schema: UserSchema,
    pub users: Vec<DjangoUser>,
    /// Empty when the site does not use SimpleJWT's blacklist app.
    pub tokens: Vec<DjangoToken>,
}

pub(crate) async fn snapshot(
    pool: &AnyPool,
    dialect: Dialect,
    options: &ReadOptions,
) -> Result<Snapshot> {
    let schema = schema::user_schema(pool, dialect, options).await?;
    let mut users = users(pool, dialect, &schema).await?;
    if let Some(groups) = &schema.groups {
        let query = format!(
            "SELECT {} AS user_id, {} AS name FROM {} m \
             JOIN auth_group g ON g.id = m.group_id ORDER BY g.name",
            dialect.text(&format!("m.{}", groups.user_column)),
            dialect.text("g.name"),
            groups.table,
        );
        let mut by_user: HashMap<String, Vec<String>> = HashMap::new();
        for row in sqlx::query(sqlx::AssertSqlSafe(query))
            .fetch_all(pool)
            .await?
        {
            let user: String = row.try_get(0)?;
            by_user.entry(user).or_default().push(row.try_get(1)?);
        }
        for user in &mut users {
            user.groups = by_user.remove(&user.id).unwrap_or_default();
        }
    }
    let tokens = tokens(pool, dialect).await?;
    Ok(Snapshot {
        schema,
        users,
        tokens,
    })
}

async fn users(pool: &AnyPool, dialect: Dialect, schema: &UserSchema) -> Result<Vec<DjangoUser>> {
    let query = format!("{} ORDER BY id", user_select(dialect, schema));
    let rows = sqlx::query(sqlx::AssertSqlSafe(query))
        .fetch_all(pool)
        .await?;
    rows.iter().map(user_from_row).collect()
}

/// `SELECT <the user's columns as plain values> FROM <user table>`, in [`user_from_row`]'s
/// order. A column the model lacks takes Django's default (`is_active`: active).
pub(crate) fn user_select(dialect: Dialect, schema: &UserSchema) -> String {
    let text = |column: &str| format!("COALESCE({}, '')", dialect.text(column));
    let flag = |column: &str, absent: &str| {
        if schema.has(column) {
            dialect.flag(column)
        } else {
            absent.to_owned()
        }
    };
    let epoch = |column: &str| {
        if schema.has(column) {
            dialect.epoch(column)
        } else {
            "NULL".to_owned()
        }
    };
    let email = if schema.has("email") {
        text("email")
    } else {
        "''".to_owned()
    };
    format!(
        "SELECT {id}, {login}, {email}, {password}, {active}, {staff}, {superuser}, \
         {last_login}, {date_joined} FROM {table}",
        id = dialect.text("id"),
        login = text(&schema.login),
        password = text("password"),
        active = flag("is_active", "1"),
        staff = flag("is_staff", "0"),
        superuser = flag("is_superuser", "0"),
        last_login = epoch("last_login"),
        date_joined = epoch("date_joined"),
        table = schema.table,
    )
}

/// A row of [`user_select`], its groups not yet read.
pub(crate) fn user_from_row(row: &AnyRow) -> Result<DjangoUser> {
    Ok(DjangoUser {
        id: row.try_get(0)?,
        login: row.try_get(1)?,
        email: row.try_get(2)?,
        password: row.try_get(3)?,
        is_active: row.try_get::<i64, _>(4)? != 0,
        is_staff: row.try_get::<i64, _>(5)? != 0,
        is_superuser: row.try_get::<i64, _>(6)? != 0,
        last_login: row.try_get(7)?,
        date_joined: row.try_get(8)?,
        groups: Vec::new(),
    })
}

async fn tokens(pool: &AnyPool, dialect: Dialect) -> Result<Vec<DjangoToken>> {
    let outstanding = "token_blacklist_outstandingtoken";
    if schema::columns(pool, dialect, outstanding)
        .await?
        .is_empty()
    {
        return Ok(Vec::new());
    }
    let query = format!(
        "SELECT {jti}, {user}, {created}, {expires}, {blacklisted} FROM {outstanding} o \
         LEFT JOIN token_blacklist_blacklistedtoken b ON b.token_id = o.id ORDER BY o.id",
        jti = dialect.text("o.jti"),
        user = dialect.text("o.user_id"),
        created = dialect.epoch("o.created_at"),
        expires = dialect.epoch("o.expires_at"),
        blacklisted = dialect.epoch("b.blacklisted_at"),
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(query))
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|row| {
            Ok(DjangoToken {
                jti: row.try_get(0)?,
                user_id: row.try_get(1)?,
                created_at: row.try_get(2)?,
                expires_at: row.try_get(3)?,
                blacklisted_at: row.try_get(4)?,
            })
        })
        .collect()
}
