//! Group commit of rotations: concurrent refreshes share one transaction, so one WAL fsync
//! (`synchronous = FULL`) makes a whole batch durable instead of one rotation each.
//!
//! Callers queue their rotation and wait for its answer; one task takes whatever has queued
//! (at most [`MAX_BATCH`]), runs every rotation's statements in one `BEGIN IMMEDIATE`
//! transaction, commits, and only then answers each caller: an acknowledged rotation is a
//! committed one, exactly as with a transaction per rotation. A rotation that loses its
//! compare-and-set changes nothing, so it never spoils its batch. When a statement or the
//! commit fails, the batch is retried one rotation per transaction, so each caller gets its
//! own rotation's outcome (on a full disk, every one of them fails on its own).
//!
//! Under no concurrency a batch is a single rotation: nothing waits for company.

use sqlx::SqlitePool;
use tokio::sync::{mpsc, oneshot};

use super::{begin_write, rotate_committed, rotate_in};
use crate::{RefreshToken, Result, Rotation, StoreError, Succession};

/// Rotations one transaction takes at most, which bounds a batch's latency.
const MAX_BATCH: usize = 64;
/// Rotations that may wait for a commit; beyond that, callers wait to queue.
const QUEUE_LENGTH: usize = 1024;

/// The queue in front of the rotation-committing task; dropping it ends the task.
pub(super) struct RotationQueue(mpsc::Sender<Queued>);

struct Queued {
    old: RefreshToken,
    new: RefreshToken,
    blacklist_old: bool,
    now: i64,
    answer: oneshot::Sender<Result<Rotation>>,
}

impl Queued {
    fn succession(&self) -> Succession<'_> {
        Succession {
            old: &self.old,
            new: &self.new,
            blacklist_old: self.blacklist_old,
        }
    }
}

impl RotationQueue {
    /// Starts the committing task on `writer` (the single-connection write pool).
    pub(super) fn start(writer: SqlitePool) -> Self {
        let (queue, queued) = mpsc::channel(QUEUE_LENGTH);
        tokio::spawn(commit_batches(writer, queued));
        RotationQueue(queue)
    }

    /// Rotates as [`TokenStore::rotate`](crate::TokenStore::rotate), answering once the
    /// rotation's batch is committed.
    pub(super) async fn rotate(&self, succession: Succession<'_>, now: i64) -> Result<Rotation> {
        let (answer, answered) = oneshot::channel();
        let queued = Queued {
            old: succession.old.clone(),
            new: succession.new.clone(),
            blacklist_old: succession.blacklist_old,
            now,
            answer,
        };
        let stopped = || StoreError::Database(sqlx::Error::PoolClosed);
        self.0.send(queued).await.map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

async fn commit_batches(writer: SqlitePool, mut queue: mpsc::Receiver<Queued>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        match rotate_together(&writer, &batch).await {
            Ok(rotations) => {
                for (queued, rotation) in batch.drain(..).zip(rotations) {
                    let _ = queued.answer.send(Ok(rotation));
                }
            }
            Err(_) => {
                for queued in batch.drain(..) {
                    let rotation = match begin_write(&writer).await {
                        Ok(tx) => rotate_committed(tx, queued.succession(), queued.now).await,
                        Err(e) => Err(e),
                    };
                    let _ = queued.answer.send(rotation);
                }
            }
        }
    }
}

async fn rotate_together(writer: &SqlitePool, batch: &[Queued]) -> Result<Vec<Rotation>> {
    let mut tx = begin_write(writer).await?;
    let mut rotations = Vec::with_capacity(batch.len());
    for queued in batch {
        rotations.push(rotate_in(&mut tx, queued.succession(), queued.now).await?);
    }
    tx.commit().await?;
    Ok(rotations)
}
