//! Store errors, and which of them waiting can fix.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("username {0:?} is already taken")]
    UsernameTaken(String),
    #[error("email {0:?} is already used by another user")]
    EmailTaken(String),
    #[error("the name {0:?} is already taken")]
    NameTaken(String),
    #[error("unsupported database URL {0:?} (expected sqlite://PATH or postgres://…)")]
    UnsupportedUrl(String),
    /// A stored value jwtd cannot read (e.g. a `roles` column that is not a JSON list).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A database the store reads from is not reachable yet (e.g. a Django site's, still being
    /// connected to); waiting fixes it.
    #[error("{0}")]
    Unavailable(String),
    /// The database did not answer a call within its deadline ([`crate::bounded`]).
    #[error("the database did not answer within {0:?}")]
    TimedOut(std::time::Duration),
    /// As many calls as allowed were already waiting for the database ([`crate::bounded`]).
    #[error("{0} database calls are already pending")]
    TooManyPending(usize),
    /// The users belong to another system (a live Django site), which alone may change them.
    #[error("the users belong to the Django site: change them there (or with manage.py)")]
    UsersElsewhere,
}

impl StoreError {
    /// Whether trying again shortly may succeed: the database is unreachable, out of
    /// connections, busy, restarting or out of space, or a transaction lost a serialization
    /// race. Everything else (a bad URL, a failed migration, a constraint, a row that does not
    /// decode, SQL the schema does not match) is a fault that waiting will not fix.
    pub fn is_transient(&self) -> bool {
        let e = match self {
            StoreError::Database(e) => e,
            StoreError::Unavailable(_)
            | StoreError::TimedOut(_)
            | StoreError::TooManyPending(_) => return true,
            _ => return false,
        };
        if matches!(
            e,
            sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::WorkerCrashed
        ) {
            return true;
        }
        let Some(db) = e.as_database_error() else {
            return false;
        };
        if let Some(sqlite) = db.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
            use sqlx::error::DatabaseError as _;
            // Primary result codes: SQLITE_BUSY 5, SQLITE_LOCKED 6, SQLITE_FULL 13.
            let code = sqlite.code().and_then(|c| c.parse::<i32>().ok());
            return code.is_some_and(|c| matches!(c & 0xff, 5 | 6 | 13));
        }
        // PostgreSQL SQLSTATE classes: 08 connection exception, 53 insufficient resources,
        // 57P operator intervention (shutting down, starting up), 40001 serialization failure,
        // 40P01 deadlock.
        db.code().is_some_and(|code| {
            code.starts_with("08")
                || code.starts_with("53")
                || code.starts_with("57P")
                || code == "40001"
                || code == "40P01"
        })
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
