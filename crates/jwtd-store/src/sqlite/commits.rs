//! This process's commits to its SQLite databases, counted the moment each has landed, so the
//! point reads ([`super::point_reads`]) know when a snapshot they keep has gone stale.
//!
//! The count is bumped from SQLite's WAL hook, which runs after a commit is in the WAL and its
//! write lock released, and before the statement that committed returns — so before any
//! caller can have acknowledged the write. (sqlx's commit hook runs *before* the commit lands:
//! a reader could take its snapshot in between and keep missing the write.) Registering the
//! hook replaces SQLite's automatic checkpoint, which is itself a WAL hook; [`after_commit`]
//! does what it did, after closing the point reads' idle snapshots, which would stand in its
//! way.

use std::ffi::c_int;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::sqlite::SqliteConnection;

/// Commits landed so far, in every SQLite database this process writes.
static COMMITS: AtomicU64 = AtomicU64::new(0);

/// SQLite's default `wal_autocheckpoint`: a passive checkpoint once the WAL holds this many
/// frames after a commit.
const AUTOCHECKPOINT_FRAMES: c_int = 1000;

/// The commits landed so far.
pub(crate) fn landed() -> u64 {
    COMMITS.load(Ordering::Acquire)
}

/// Counts `connection`'s commits (for every connection of the writer pool).
pub(crate) async fn count(connection: &mut SqliteConnection) -> sqlx::Result<()> {
    let mut handle = connection.lock_handle().await?;
    let raw = handle.as_raw_handle();
    // SAFETY: `raw` is sqlx's open connection, which the lock guard `handle` keeps to this
    // thread and alive for the borrow. The rusqlite wrapper does not own it (dropping the wrapper
    // neither closes it nor removes hooks), is dropped right here, and both libraries are
    // linked to the same libsqlite3 (the one libsqlite3-sys in the tree). The WAL hook it
    // registers is a plain function pointer: nothing of the wrapper outlives it.
    #[allow(unsafe_code)]
    let wrapper = unsafe { rusqlite::Connection::from_handle(raw.as_ptr()) }
        .map_err(|e| sqlx::Error::Configuration(e.into()))?;
    wrapper.wal_hook(Some(after_commit));
    Ok(())
}

/// SQLite's WAL hook: a commit has landed.
fn after_commit(wal: &rusqlite::hooks::Wal, frames: c_int) -> rusqlite::Result<()> {
    COMMITS.fetch_add(1, Ordering::AcqRel);
    // Before checkpointing: a snapshot left open would keep it from copying the whole WAL.
    super::point_reads::commit_landed();
    if frames >= AUTOCHECKPOINT_FRAMES {
        // As SQLite's own hook: a failed checkpoint (a reader in the way) is retried after a
        // later commit, and is never the committing statement's error.
        let _ = wal.checkpoint();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::TokenStore;
    use crate::sqlite::point_reads::tests::{file_store, token};

    /// Commits with point reads between them, as a server's: the WAL must still be checkpointed
    /// and restarted, so it stays small.
    #[tokio::test]
    async fn the_wal_is_still_checkpointed_between_reads() {
        let (dir, store) = file_store().await;
        let reads = store.point_reads.as_ref().unwrap();
        // Each commit writes a few pages (the table's and its indexes'): without checkpoints,
        // or with a reader's snapshot in their way, the WAL would hold several thousand frames.
        for n in 0..1200 {
            let token = token(&format!("jti-{n}"));
            store.add_refresh_token(&token, 100).await.unwrap();
            for _ in 0..2 {
                assert!(reads.token_state_retried(&token.jti).is_some());
            }
        }
        let wal = std::fs::metadata(dir.path().join("jwtd.db-wal"))
            .unwrap()
            .len();
        let frame = 4096 + 24;
        assert!(
            wal < 1500 * frame,
            "the WAL holds {} frames: it was not checkpointed",
            wal / frame
        );
    }
}
