//! The embedded SQLite store: one file in WAL mode.
//!
//! Writes go through a single-connection pool, so jwtd's own writers queue in-process instead
//! of spinning on SQLite's busy handler; reads use a separate pool and never wait for writes
//! (WAL). Another process on the same file (the `jwtd user` CLI) waits up to `busy_timeout`.
//! `synchronous = FULL`: a committed blacklist entry survives a power cut, not just a crash;
//! concurrent rotations share that fsync ([`group_commit`]).

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqliteSynchronous};
use sqlx::{Connection as _, Sqlite, Transaction};

use crate::{
    Attempt, NewUser, PoolConfig, RefreshToken, Result, Rotation, StoreError, Succession,
    ThrottlePolicy, TokenState, User,
};

mod commits;
mod group_commit;
mod point_reads;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

pub struct SqliteStore {
    reader: SqlitePool,
    writer: SqlitePool,
    /// Users recently read by id ([`crate::user_cache`]).
    users: crate::user_cache::UserCache,
    /// Rotations waiting for their group commit ([`group_commit`]).
    rotations: group_commit::RotationQueue,
    /// Token states read on the calling thread ([`point_reads`]); none in memory.
    point_reads: Option<point_reads::PointReads>,
}

impl SqliteStore {
    pub async fn open(url: &str, pool: &PoolConfig) -> Result<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        create_private(options.get_filename())?;
        let writer = pool
            .options()
            .max_connections(1)
            // Every commit counted as it lands, for the point reads' snapshots.
            .after_connect(|connection, _| Box::pin(commits::count(connection)))
            .connect_with(options.clone())
            .await?;
        MIGRATOR.run(&writer).await?;
        let point_reads = point_reads::PointReads::new(options.get_filename(), url);
        let reader = pool.options().connect_with(options.read_only(true)).await?;
        Ok(SqliteStore {
            point_reads,
            reader,
            rotations: group_commit::RotationQueue::start(writer.clone()),
            writer,
            users: Default::default(),
        })
    }

    /// A token's state read on this thread, when it can be (see [`point_reads`]).
    fn token_state_in_place(&self, jti: &str) -> Option<Option<TokenState>> {
        self.point_reads.as_ref()?.token_state(jti)
    }

    fn pools(&self) -> [&SqlitePool; 2] {
        [&self.reader, &self.writer]
    }

    /// AUTOINCREMENT already continues after the largest id ever inserted, explicit ones too.
    async fn ids_continue_after_max(_tx: &mut Transaction<'static, Sqlite>) -> Result<()> {
        Ok(())
    }

    async fn write_tx(&self) -> Result<Transaction<'static, Sqlite>> {
        begin_write(&self.writer).await
    }

    async fn rotate_durably(&self, succession: Succession<'_>, now: i64) -> Result<Rotation> {
        self.rotations.rotate(succession, now).await
    }
}

/// A write transaction. IMMEDIATE takes the write lock up front, so a transaction never fails
/// half-way on a lock upgrade when another process writes.
async fn begin_write(writer: &SqlitePool) -> Result<Transaction<'static, Sqlite>> {
    match writer.begin_with("BEGIN IMMEDIATE").await {
        Err(sqlx::Error::InvalidSavePointStatement) => {
            // A COMMIT that failed (disk full) makes SQLite roll the transaction back by
            // itself, but sqlx still counts it open, fails the ROLLBACK it sends on drop, and
            // refuses every later BEGIN on that connection — the only writer. Replace it.
            let mut stuck = writer.acquire().await?;
            stuck.ping().await?;
            if stuck.is_in_transaction() {
                tracing::warn!(
                    "replacing the SQLite writer connection left in a failed transaction"
                );
                let _ = stuck.close().await;
            }
            Ok(writer.begin_with("BEGIN IMMEDIATE").await?)
        }
        begun => Ok(begun?),
    }
}

/// Creates the database file readable by its owner only (it holds password hashes); SQLite
/// gives the -wal and -shm files the same mode.
fn create_private(path: &std::path::Path) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    if path.as_os_str() == ":memory:" || path.as_os_str().is_empty() || path.exists() {
        return Ok(());
    }
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Database(sqlx::Error::Io(e))),
    }
}

sql_store!(SqliteStore, Sqlite);
