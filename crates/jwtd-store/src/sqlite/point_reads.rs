//! Point reads on the calling thread, for the hottest read: a refresh token's state.
//!
//! sqlx runs every SQLite connection on a worker thread of its own, so each query is two
//! hand-offs between threads; for a lookup of one row by primary key that costs ~3× the read
//! (on one core, half of a refresh without rotation was context switches). Here each thread
//! that asks keeps its own read-only connection (rusqlite, on the same libsqlite3 as sqlx)
//! and reads in place: a WAL reader neither waits for the writer nor blocks it.
//!
//! Any failure — an unopenable file, `SQLITE_BUSY` (no busy wait here: a runtime thread must
//! not sleep), a schema that does not fit — answers `None`, and the caller reads through the
//! pool as before.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use thread_local::ThreadLocal;

use crate::TokenState;

pub(crate) struct PointReads {
    path: PathBuf,
    /// One connection per thread that reads (`None` when it could not be opened).
    connections: ThreadLocal<RefCell<Option<Connection>>>,
}

impl PointReads {
    /// Reads from the database file at `path`; `None` for an in-memory database, which a second
    /// connection would not share.
    pub(crate) fn new(path: &Path, url: &str) -> Option<PointReads> {
        let in_memory = path.as_os_str().is_empty()
            || path.as_os_str() == ":memory:"
            || url.contains("mode=memory");
        (!in_memory).then(|| PointReads {
            path: path.to_owned(),
            connections: ThreadLocal::new(),
        })
    }

    /// The token's state, as `TokenStore::token_state` reads it; `None` when this thread
    /// cannot read here.
    pub(crate) fn token_state(&self, jti: &str) -> Option<Option<TokenState>> {
        self.with_connection(|connection| {
            connection
                .prepare_cached(crate::sql::TOKEN_STATE)?
                .query_row([jti], |row| {
                    Ok(TokenState {
                        family: row.get(0)?,
                        user_id: row.get(1)?,
                        rotated_at: row.get(2)?,
                        blacklisted_at: row.get(3)?,
                    })
                })
                .optional()
        })
    }

    fn with_connection<T>(
        &self,
        read: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Option<T> {
        let cell = self
            .connections
            .get_or(|| RefCell::new(open(&self.path).ok()));
        let connection = cell.try_borrow().ok()?;
        read(connection.as_ref()?).ok()
    }
}

fn open(path: &Path) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let connection = Connection::open_with_flags(path, flags)?;
    // Never wait on a lock: answer BUSY at once and let the pool's connection wait.
    connection.busy_timeout(std::time::Duration::ZERO)?;
    Ok(connection)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqlite::SqliteStore;
    use crate::{PoolConfig, RefreshToken, TokenStore};

    fn token(jti: &str) -> RefreshToken {
        RefreshToken {
            jti: jti.into(),
            user_id: Some(7),
            family: "family".into(),
            expires_at: 2_000_000_000,
            encoded: String::new(),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reads_in_place_what_the_writer_committed() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("jwtd.db").display());
        let store = SqliteStore::open(&url, &PoolConfig::default())
            .await
            .unwrap();
        let in_place = store
            .point_reads
            .as_ref()
            .expect("a file database reads in place");
        assert_eq!(
            in_place.token_state("a"),
            Some(None),
            "unknown: read, not found"
        );

        store.add_refresh_token(&token("a"), 100).await.unwrap();
        let state = in_place.token_state("a").expect("read in place").unwrap();
        assert_eq!(state.family, "family");
        assert_eq!((state.user_id, state.blacklisted_at), (Some(7), None));

        // The writer's commit is seen by the very next read, from every thread.
        assert!(store.blacklist(&token("a"), 150).await.unwrap());
        assert_eq!(
            in_place.token_state("a").unwrap().unwrap().blacklisted_at,
            Some(150)
        );
        let elsewhere = tokio::task::spawn_blocking(move || {
            let state = store.point_reads.as_ref().unwrap().token_state("a");
            (state, store)
        })
        .await
        .unwrap();
        assert_eq!(elsewhere.0.unwrap().unwrap().blacklisted_at, Some(150));
        assert!(elsewhere.1.is_blacklisted("a").await.unwrap());
    }

    #[test]
    fn an_in_memory_database_is_not_read_in_place() {
        let memory = |path: &str, url: &str| PointReads::new(Path::new(path), url).is_none();
        assert!(memory(":memory:", "sqlite::memory:"));
        assert!(memory("", "sqlite://"));
        assert!(memory("shared", "sqlite://shared?mode=memory&cache=shared"));
        assert!(!memory("/data/jwtd.db", "sqlite:///data/jwtd.db"));
    }

    #[test]
    fn an_unopenable_file_falls_back_to_the_pool() {
        let dir = tempfile::tempdir().unwrap();
        let reads = PointReads::new(&dir.path().join("missing.db"), "sqlite://missing.db").unwrap();
        assert_eq!(reads.token_state("a"), None);
    }
}
