//! jwtd-django: reads a Django site's database — its users (the default `auth_user` or a custom
//! `AUTH_USER_MODEL`), their groups, and SimpleJWT's outstanding and blacklisted tokens — on
//! SQLite, PostgreSQL or MySQL/MariaDB. The import (`jwtd import django`) only reads; [`live`]
//! adds the two writes serving a site's users in place needs (`last_login`, a re-hash).
//!
//! * [`dialect`]: the SQL that differs between the three databases;
//! * [`schema`]: finding the user table, its columns, its groups table;
//! * [`read`]: the rows, as [`DjangoUser`] and [`DjangoToken`];
//! * [`live`]: one user at a time from a live site, and the writes jwtd may make there;
//! * [`blacklist`]: SimpleJWT's blacklist tables, shared with a live site;
//! * [`store`]: jwtd's store in the Django-database mode — users from the site, the rest from
//!   jwtd's own store.

pub mod blacklist;
pub mod dialect;
pub mod live;
pub mod read;
pub mod schema;
pub mod store;

pub use live::LiveUsers;
pub use read::{DjangoToken, DjangoUser, Snapshot};
pub use store::{DjangoStore, SiteConfig};

use dialect::Dialect;
use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;

#[derive(Debug, thiserror::Error)]
pub enum DjangoError {
    #[error(
        "unsupported database URL {0:?} (expected sqlite:///PATH, a file path, postgres://… or mysql://…)"
    )]
    UnsupportedUrl(String),
    #[error(
        "no user table found (no SimpleJWT outstanding-token table or `<table>_groups` points at one, and there is no auth_user); name it with --user-table"
    )]
    NoUserTable,
    #[error("table {0:?} does not exist or has no `password` column")]
    NotAUserTable(String),
    #[error("the user table {table:?} has no column {column:?}")]
    NoColumn { table: String, column: String },
    #[error("{0:?} is not a table or column name")]
    BadIdentifier(String),
    /// The driver's message alone: its own sources repeat it.
    #[error("{0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for DjangoError {
    fn from(err: sqlx::Error) -> Self {
        DjangoError::Database(err)
    }
}

pub type Result<T, E = DjangoError> = std::result::Result<T, E>;

/// What to read and how.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// The user table; `None`: discovered.
    pub user_table: Option<String>,
    /// The column users log in with (the model's `USERNAME_FIELD`); `None`: `username` if the
    /// table has it, else `email`.
    pub login_field: Option<String>,
    /// Read group names (`<table>_groups` → `auth_group`).
    pub groups: bool,
}

/// A connection to a Django database.
pub struct DjangoDb {
    pool: AnyPool,
    dialect: Dialect,
}

impl DjangoDb {
    /// Connects to `url`: `sqlite:///path`, a file path (SQLite, opened read-only),
    /// `postgres://…` or `mysql://…`.
    pub async fn connect(url: &str) -> Result<DjangoDb> {
        DjangoDb::open(url, false).await
    }

    /// [`DjangoDb::connect`] for a site jwtd also writes to ([`live`]: `last_login`, re-hashes):
    /// a SQLite file is opened read-write (never created).
    pub async fn connect_for_writes(url: &str) -> Result<DjangoDb> {
        DjangoDb::open(url, true).await
    }

    /// The connection a live site is served over (the Django-database mode): written to, with
    /// the server's pool limits.
    pub async fn connect_live(url: &str, pool: &jwtd_store::PoolConfig) -> Result<DjangoDb> {
        DjangoDb::open_with(url, true, pool.options()).await
    }

    async fn open(url: &str, writes: bool) -> Result<DjangoDb> {
        DjangoDb::open_with(url, writes, AnyPoolOptions::new().max_connections(2)).await
    }

    async fn open_with(url: &str, writes: bool, options: AnyPoolOptions) -> Result<DjangoDb> {
        let (url, dialect) = Dialect::of_url(url, writes)?;
        sqlx::any::install_default_drivers();
        let pool = options.connect(&url).await?;
        Ok(DjangoDb { pool, dialect })
    }

    /// Reads the users, their groups and SimpleJWT's tokens.
    pub async fn read(&self, options: &ReadOptions) -> Result<Snapshot> {
        read::snapshot(&self.pool, self.dialect, options).await
    }

    pub async fn close(self) {
        self.pool.close().await;
    }
}

/// `name` when it is a plain SQL identifier (Django's table and column names are), so it can be
/// written into a statement.
pub(crate) fn identifier(name: &str) -> Result<&str> {
    let mut chars = name.chars();
    let plain = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 63;
    if plain {
        Ok(name)
    } else {
        Err(DjangoError::BadIdentifier(name.to_owned()))
    }
}
