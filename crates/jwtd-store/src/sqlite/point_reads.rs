//! Point reads on the calling thread, for the hottest read: a refresh token's state.
//!
//! sqlx runs every SQLite connection on a worker thread of its own, so each query is two
//! hand-offs between threads; for a lookup of one row by primary key that costs ~3× the read
//! (on one core, half of a refresh without rotation was context switches). Here each thread
//! that asks keeps its own read-only connection (rusqlite, on the same libsqlite3 as sqlx)
//! and reads in place: a WAL reader neither waits for the writer nor blocks it.
//!
//! Each connection also keeps its read transaction (its snapshot) open between reads: opening
//! and closing one costs two `fcntl` locks on the WAL index and SQLite's bookkeeping, ≈ 1.2 µs
//! — a tenth of a refresh. A snapshot is used while
//! * no commit of this process has landed since it was taken ([`super::commits`]): what this
//!   process has written and acknowledged is read back at once, always;
//! * it is younger than [`SNAPSHOT_LIFE`]: what another process (the CLI, an import) commits
//!   is seen within that — well inside the one second the user rules promise.
//!
//! A snapshot must not hold back the WAL's checkpoints: one open when a checkpoint runs keeps it
//! from copying the frames written since, and a WAL never fully copied is never restarted — it
//! grows without end under steady writes (a benchmark saw 857 MB). So when a commit lands,
//! the writer's hook closes every snapshot not being read from at that moment (all are stale
//! then) before it checkpoints ([`commit_landed`]); and one task closes, within twice
//! [`SNAPSHOT_LIFE`], those that threads which stopped reading left open.
//!
//! Any failure — an unopenable file, `SQLITE_BUSY` (no busy wait here: a runtime thread must
//! not sleep), a schema that does not fit — answers `None`, and the caller reads through the
//! pool as before.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use thread_local::ThreadLocal;
use tokio::sync::Notify;

use super::commits;
use crate::TokenState;

/// How long a snapshot is read from at most.
pub(crate) const SNAPSHOT_LIFE: Duration = Duration::from_millis(20);

/// One reader per thread that reads (`None` when its connection could not be opened). Behind a
/// mutex only so the writer's hook and the closing task can reach it: each is its thread's own.
type Readers = ThreadLocal<Mutex<Option<Reader>>>;

/// The readers of every [`PointReads`] in the process, for [`commit_landed`].
static ALL_READERS: Mutex<Vec<Weak<Readers>>> = Mutex::new(Vec::new());

pub(crate) struct PointReads {
    path: PathBuf,
    readers: Arc<Readers>,
    /// Told when a snapshot is opened, to wake the closing task.
    opened: Arc<Notify>,
}

struct Reader {
    connection: Connection,
    snapshot: Option<Snapshot>,
}

/// An open read transaction.
struct Snapshot {
    /// [`commits::landed`] just before it was taken.
    commits: u64,
    taken: Instant,
}

impl PointReads {
    /// Reads from the database file at `path`; `None` for an in-memory database, which a second
    /// connection would not share. Must be called inside the tokio runtime.
    pub(crate) fn new(path: &Path, url: &str) -> Option<PointReads> {
        let in_memory = path.as_os_str().is_empty()
            || path.as_os_str() == ":memory:"
            || url.contains("mode=memory");
        if in_memory {
            return None;
        }
        let reads = PointReads {
            path: path.to_owned(),
            readers: Arc::default(),
            opened: Arc::default(),
        };
        ALL_READERS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Arc::downgrade(&reads.readers));
        tokio::spawn(close_old_snapshots(
            Arc::downgrade(&reads.readers),
            reads.opened.clone(),
        ));
        Some(reads)
    }

    /// The token's state, as `TokenStore::token_state` reads it; `None` when this thread
    /// cannot read here.
    pub(crate) fn token_state(&self, jti: &str) -> Option<Option<TokenState>> {
        self.read(|connection| {
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

    fn read<T>(&self, read: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Option<T> {
        let cell = self
            .readers
            .get_or(|| Mutex::new(open(&self.path).ok().map(Reader::new)));
        // Held for a moment by the writer's hook or the closing task: read through the pool
        // this once.
        let mut reader = cell.try_lock().ok()?;
        let reader = reader.as_mut()?;
        // Loaded before the snapshot is taken: a commit landing in between makes it stale.
        let commits = commits::landed();
        let fresh = reader
            .snapshot
            .as_ref()
            .is_some_and(|s| s.commits == commits && s.taken.elapsed() < SNAPSHOT_LIFE);
        if !fresh {
            reader.close_snapshot();
            reader.connection.execute_batch("BEGIN").ok()?;
            reader.snapshot = Some(Snapshot {
                commits,
                taken: Instant::now(),
            });
            self.opened.notify_one();
        }
        let answer = read(&reader.connection);
        if answer.is_err() {
            reader.close_snapshot();
        }
        answer.ok()
    }
}

impl Drop for PointReads {
    fn drop(&mut self) {
        // Wakes the closing task to notice the readers are gone.
        self.opened.notify_one();
    }
}

impl Reader {
    fn new(connection: Connection) -> Reader {
        Reader {
            connection,
            snapshot: None,
        }
    }

    fn close_snapshot(&mut self) {
        if self.snapshot.take().is_some() && !self.connection.is_autocommit() {
            // A read-only transaction: ending it cannot fail in a way that loses anything.
            let _ = self.connection.execute_batch("COMMIT");
        }
    }
}

/// After a commit of this process has landed (called by the writer's WAL hook, before it
/// checkpoints): every snapshot is stale, and those not being read from are closed, so the
/// checkpoint can copy the whole WAL.
pub(crate) fn commit_landed() {
    let mut all = ALL_READERS.lock().unwrap_or_else(PoisonError::into_inner);
    all.retain(|readers| match readers.upgrade() {
        Some(readers) => {
            close_snapshots(&readers, Duration::ZERO);
            true
        }
        None => false,
    });
}

/// Closes the snapshots at least `age` old not being read from; whether any is left open.
fn close_snapshots(readers: &Readers, age: Duration) -> bool {
    let mut any_open = false;
    for reader in readers.iter() {
        let Ok(mut reader) = reader.try_lock() else {
            any_open = true; // being read from: look again
            continue;
        };
        let Some(reader) = reader.as_mut() else {
            continue;
        };
        if reader
            .snapshot
            .as_ref()
            .is_some_and(|s| s.taken.elapsed() >= age)
        {
            reader.close_snapshot();
        }
        any_open |= reader.snapshot.is_some();
    }
    any_open
}

/// Closes the snapshots older than [`SNAPSHOT_LIFE`] that their threads have not, looking
/// again every [`SNAPSHOT_LIFE`] while any is open, and sleeping otherwise.
async fn close_old_snapshots(readers: Weak<Readers>, opened: Arc<Notify>) {
    loop {
        opened.notified().await;
        loop {
            tokio::time::sleep(SNAPSHOT_LIFE).await;
            let Some(readers) = readers.upgrade() else {
                return;
            };
            if !close_snapshots(&readers, SNAPSHOT_LIFE) {
                break;
            }
        }
        if readers.strong_count() == 0 {
            return;
        }
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
pub(crate) mod tests {
    use super::*;
    use crate::sqlite::SqliteStore;
    use crate::{PoolConfig, RefreshToken, TokenStore};

    pub(crate) fn token(jti: &str) -> RefreshToken {
        RefreshToken {
            jti: jti.into(),
            user_id: Some(7),
            family: "family".into(),
            expires_at: 2_000_000_000,
            encoded: String::new(),
        }
    }

    /// A store on a file of its own (kept while the directory lives).
    pub(crate) async fn file_store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("jwtd.db").display());
        let store = SqliteStore::open(&url, &PoolConfig::default())
            .await
            .unwrap();
        (dir, store)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reads_in_place_what_the_writer_committed() {
        let (_dir, store) = file_store().await;
        let in_place = store
            .point_reads
            .as_ref()
            .expect("a file database reads in place");
        assert_eq!(
            in_place.token_state_retried("a"),
            None,
            "unknown: read, not found"
        );

        store.add_refresh_token(&token("a"), 100).await.unwrap();
        let state = in_place.token_state_retried("a").unwrap();
        assert_eq!(state.family, "family");
        assert_eq!((state.user_id, state.blacklisted_at), (Some(7), None));

        // The writer's commit is counted as it lands, and seen by the very next read, from
        // every thread.
        let before = commits::landed();
        assert!(store.blacklist(&token("a"), 150).await.unwrap());
        assert!(commits::landed() > before, "the commit was counted");
        assert_eq!(
            in_place.token_state_retried("a").unwrap().blacklisted_at,
            Some(150)
        );
        let elsewhere = tokio::task::spawn_blocking(move || {
            let state = store.point_reads.as_ref().unwrap().token_state_retried("a");
            (state, store)
        })
        .await
        .unwrap();
        assert_eq!(elsewhere.0.unwrap().blacklisted_at, Some(150));
        assert!(elsewhere.1.is_blacklisted("a").await.unwrap());
    }

    impl PointReads {
        /// [`PointReads::token_state`], asked again while this thread's reader is held by a
        /// writer's hook (as it is for a moment when a test running beside this one commits).
        pub(crate) fn token_state_retried(&self, jti: &str) -> Option<TokenState> {
            (0..10_000)
                .find_map(|_| self.token_state(jti))
                .expect("read in place")
        }
    }

    /// The snapshot taken by this thread's reader, if one is open.
    fn snapshot_taken(reads: &PointReads) -> Option<Instant> {
        let reader = reads.readers.get()?.lock().unwrap();
        reader.as_ref()?.snapshot.as_ref().map(|s| s.taken)
    }

    #[tokio::test]
    async fn another_process_commit_is_seen_within_the_snapshot_life() {
        let (dir, store) = file_store().await;
        let path = dir.path().join("jwtd.db");
        store.add_refresh_token(&token("a"), 100).await.unwrap();
        let reads = store.point_reads.as_ref().unwrap();
        assert_eq!(reads.token_state_retried("a").unwrap().blacklisted_at, None);
        // Reads with no commit in between share one snapshot. (The commit count is the
        // process's, and tests running beside this one commit too: a pair of reads with one of
        // theirs in between renews, so some pair among many must share.)
        let shared = (0..1000).any(|_| {
            reads.token_state_retried("a");
            let taken = snapshot_taken(reads);
            reads.token_state_retried("a");
            taken.is_some() && snapshot_taken(reads) == taken
        });
        assert!(shared, "the snapshot is reused");

        // Another process (a connection whose commits this process does not count).
        let other = Connection::open(&path).unwrap();
        other
            .execute(
                "UPDATE refresh_tokens SET blacklisted_at = 170 WHERE jti = 'a'",
                [],
            )
            .unwrap();
        tokio::time::sleep(SNAPSHOT_LIFE).await;
        assert_eq!(
            reads.token_state_retried("a").unwrap().blacklisted_at,
            Some(170)
        );
    }

    #[tokio::test]
    async fn a_snapshot_its_thread_left_open_is_closed() {
        let (_dir, store) = file_store().await;
        let reads = store.point_reads.as_ref().unwrap();
        // Open after a read (unless a commit of a test running beside this one just closed it).
        let opened = (0..1000).any(|_| {
            assert_eq!(reads.token_state_retried("a"), None);
            snapshot_taken(reads).is_some()
        });
        assert!(opened, "a read leaves its snapshot open");
        tokio::time::sleep(3 * SNAPSHOT_LIFE).await;
        assert_eq!(snapshot_taken(reads), None, "closed by the closing task");
    }

    #[tokio::test]
    async fn an_in_memory_database_is_not_read_in_place() {
        let memory = |path: &str, url: &str| PointReads::new(Path::new(path), url).is_none();
        assert!(memory(":memory:", "sqlite::memory:"));
        assert!(memory("", "sqlite://"));
        assert!(memory("shared", "sqlite://shared?mode=memory&cache=shared"));
        assert!(!memory("/data/jwtd.db", "sqlite:///data/jwtd.db"));
    }

    #[tokio::test]
    async fn an_unopenable_file_falls_back_to_the_pool() {
        let dir = tempfile::tempdir().unwrap();
        let reads = PointReads::new(&dir.path().join("missing.db"), "sqlite://missing.db").unwrap();
        assert_eq!(reads.token_state("a"), None);
    }
}
