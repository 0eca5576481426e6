//! The bounded password-hashing pool.
//!
//! A hash costs tens of milliseconds of CPU and ~19 MiB (Argon2id). Hashes run on tokio's
//! blocking threads, at most `hashing.workers` at once (a semaphore), so the async workers keep
//! serving cheap requests during a login storm. At most `hashing.queue` more may wait; past that
//! login answers 503 with Retry-After instead of piling up memory and latency.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use jwtd_core::password::{Hasher, Verification};
use tokio::sync::Semaphore;

/// The queue was full.
#[derive(Debug)]
pub struct Overloaded;

pub struct HashPool {
    hasher: Arc<Hasher>,
    permits: Arc<Semaphore>,
    /// Hashes running or waiting.
    in_flight: AtomicUsize,
    capacity: usize,
    /// Test instrumentation (feature `testing`): what each verification computed.
    #[cfg(feature = "testing")]
    work_done: std::sync::Mutex<std::collections::HashMap<jwtd_core::password::HashWork, u64>>,
    /// Observes each hash's duration (the server's metrics).
    hash_seconds: Option<prometheus::Histogram>,
}

impl HashPool {
    pub fn new(hasher: Hasher, workers: usize, queue: usize) -> Self {
        HashPool {
            hasher: Arc::new(hasher),
            permits: Arc::new(Semaphore::new(workers)),
            in_flight: AtomicUsize::new(0),
            capacity: workers + queue,
            #[cfg(feature = "testing")]
            work_done: Default::default(),
            hash_seconds: None,
        }
    }

    /// Reports every hash's duration to `histogram`.
    pub fn observed_by(mut self, histogram: prometheus::Histogram) -> Self {
        self.hash_seconds = Some(histogram);
        self
    }

    /// Hashes running or waiting for a worker now.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Acquire)
    }

    /// Runs `job` on a blocking thread once a worker is free.
    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&Hasher) -> T + Send + 'static,
    ) -> Result<T, Overloaded> {
        if self.in_flight.fetch_add(1, Ordering::AcqRel) >= self.capacity {
            self.in_flight.fetch_sub(1, Ordering::AcqRel);
            return Err(Overloaded);
        }
        let _slot = InFlight(&self.in_flight);
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        let hasher = self.hasher.clone();
        let timer = self.hash_seconds.as_ref().map(|h| h.start_timer());
        let result = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            deprioritize_this_thread();
            let result = job(&hasher);
            drop(timer);
            result
        })
        .await
        .expect("hashing does not panic");
        Ok(result)
    }

    /// Verifies a password; `stored: None` (no such user) costs the same work.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<Verification, Overloaded> {
        let verification = self
            .run(move |h| h.verify(&password, stored.as_deref()))
            .await?;
        #[cfg(feature = "testing")]
        {
            *self
                .work_done
                .lock()
                .expect("not poisoned")
                .entry(verification.work.clone())
                .or_default() += 1;
        }
        Ok(verification)
    }

    /// A new hash with the configured parameters.
    /// Whether jwtd can verify the Django hash `stored` (a verification, on the pool).
    pub async fn can_verify(&self, stored: String) -> Result<bool, Overloaded> {
        self.run(move |_| Hasher::can_verify(&stored)).await
    }

    pub async fn hash(&self, password: String) -> Result<String, Overloaded> {
        self.run(move |h| h.hash(&password)).await
    }

    /// How many verifications of each kind of work were done since start (feature `testing`:
    /// the enumeration tests compare work, not wall time).
    #[cfg(feature = "testing")]
    pub fn work_done(&self) -> std::collections::HashMap<jwtd_core::password::HashWork, u64> {
        self.work_done.lock().expect("not poisoned").clone()
    }
}

struct InFlight<'a>(&'a AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Nice level of the hashing threads: the share of a contended core logins get against cheap
/// requests. A hash is tens of milliseconds of CPU; a cheap request arriving meanwhile waits
/// for a scheduler slice. Measured on one core with a login storm beside a verify load
/// (logins as a share of one-at-a-time logins, verify p99): nice 0 60 %, 5.5 ms; nice 1 56 %,
/// 4.3 ms; nice 2 50 %, 4.2 ms; nice 10 26 %, 3.8 ms. Nice 1 keeps logins above half their
/// floor with verify's p99 under 5 ms.
const HASHING_NICE: i32 = 1;

/// Lowers the current (blocking-pool) thread to [`HASHING_NICE`], once. Linux sets nice per
/// thread; elsewhere this is a no-op.
fn deprioritize_this_thread() {
    thread_local!(static LOWERED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
    LOWERED.with(|lowered| {
        if !lowered.get() {
            let tid = rustix::thread::gettid();
            if let Err(e) = rustix::process::setpriority_process(Some(tid), HASHING_NICE) {
                tracing::debug!(error = %e, "could not lower the hashing thread's priority");
            }
            lowered.set(true);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use jwtd_core::settings::Hashing;

    fn pool(workers: usize, queue: usize) -> Arc<HashPool> {
        let cfg = Hashing {
            memory_kib: 4096,
            iterations: 3,
            parallelism: 1,
            workers,
            queue,
            upgrade_on_login: true,
        };
        Arc::new(HashPool::new(Hasher::new(&cfg).unwrap(), workers, queue))
    }

    #[tokio::test]
    async fn a_full_queue_refuses_instead_of_piling_up() {
        let pool = pool(1, 1);
        // Occupy the only worker so requests have to wait.
        let busy = pool.permits.clone().acquire_owned().await.unwrap();
        let waiting: Vec<_> = (0..2)
            .map(|_| {
                let pool = pool.clone();
                tokio::spawn(async move { pool.verify("pw".into(), None).await.is_ok() })
            })
            .collect();
        while pool.in_flight.load(Ordering::Acquire) < 2 {
            tokio::task::yield_now().await;
        }
        assert!(
            pool.verify("pw".into(), None).await.is_err(),
            "worker busy and queue full"
        );
        drop(busy);
        for job in waiting {
            assert!(job.await.unwrap(), "queued requests are served");
        }
        assert_eq!(
            pool.in_flight.load(Ordering::Acquire),
            0,
            "slots are released"
        );
        #[cfg(feature = "testing")]
        assert_eq!(pool.work_done().values().sum::<u64>(), 2);
        assert!(
            pool.verify("pw".into(), None).await.is_ok(),
            "capacity is back"
        );
    }
}
