//! Client connections, bounded (`[connections]`): the accept loop hyper serves each
//! connection from, with a header read timeout (which also ends idle keep-alives), HTTP/2's
//! stream limit, and a cap on open connections.
//!
//! The header read timeout is this module's, not hyper's: a connection with no request in
//! progress for `header_read_timeout` — since it opened or since its last request ended — is
//! closed, whether it is trickling a request's headers or idle (HTTP/1 and HTTP/2 alike). One
//! task sweeps every connection a few times per timeout ([`sweep_period`]) and aborts the idle
//! ones' tasks, so a request costs no timer at all: hyper's own re-arms a timer for every
//! request and makes an extra read after each (≈ 2 % of a verify), and a timer and an eviction
//! signal polled beside each connection were another ≈ 1.5 %.
//!
//! At the cap, a new connection closes the connection that has waited longest without a
//! request in progress — a client trickling its headers, or an idle keep-alive — so a flood of
//! slow connections cannot lock out real clients (it only shortens its own connections' lives);
//! when every connection has a request in progress, the new one is closed. Both are counted
//! (`jwtd_connections_closed_total{reason}`). The request body's own timeout is the body
//! reader's (`api/body.rs`), which answers 408.
//!
//! Why not `axum::serve`: it bounds nothing.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::response::Response;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use jwtd_core::settings::ConnectionSettings;
use tokio::net::TcpListener;
use tokio::task::AbortHandle;
use tower::Service;

use crate::api::observe::Api;
use crate::state::AppState;

/// Serves `app` on `listener` until `shutdown` resolves; then stops accepting, closes idle
/// connections and waits for the requests in progress (the caller bounds that wait).
pub async fn serve(
    listener: TcpListener,
    app: Api,
    state: AppState,
    shutdown: impl Future<Output = ()>,
) {
    let settings: &ConnectionSettings = &state.settings.connections;
    ensure_descriptors(settings.max);
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // A response's head and body copied into one buffer and sent with one plain write: for
    // jwtd's small bodies, cheaper in the kernel than a two-part writev (≈ 5 % of a verify).
    builder.http1().writev(false);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(settings.http2_max_concurrent_streams);
    let open = Arc::new(OpenConnections::new(settings.max, state.clone()));
    let sweeper = tokio::spawn(sweep(open.clone(), settings.header_read_timeout));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of descriptors (EMFILE) or a connection reset before accept: wait a
                    // moment rather than spin, and go on.
                    tracing::warn!(error = %e, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(slot) = open.admit() else {
            continue; // dropped: closed
        };
        let _ = stream.set_nodelay(true);
        let service = ConnectionService {
            router: app.for_peer(peer),
            slot: slot.clone(),
        };
        let connection = builder
            .serve_connection(TokioIo::new(stream), service)
            .into_owned();
        let connection = graceful.watch(connection);
        // Leaves the registry however the task ends: served, evicted or swept (both abort it).
        let leave = Leave {
            open: open.clone(),
            id: slot.id,
        };
        let task = tokio::spawn(async move {
            let _leave = leave;
            let _ = connection.await;
        });
        let _ = slot.task.set(task.abort_handle());
    }
    drop(listener);
    sweeper.abort();
    graceful.shutdown().await;
}

/// How often [`sweep`] looks: a connection idle for `limit` is closed within `limit` and a
/// quarter more (bounded to between 10 ms and a second).
fn sweep_period(limit: Duration) -> Duration {
    (limit / 4).clamp(Duration::from_millis(10), Duration::from_secs(1))
}

/// Closes, forever, the connections with no request in progress for `limit`.
async fn sweep(open: Arc<OpenConnections>, limit: Duration) {
    let mut ticks = tokio::time::interval(sweep_period(limit));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let limit_ms = u64::try_from(limit.as_millis()).unwrap_or(u64::MAX);
    loop {
        ticks.tick().await;
        let now = coarse_ms();
        let slots = open.slots.lock().unwrap_or_else(|e| e.into_inner());
        for slot in slots.values() {
            let idle_ms = now.saturating_sub(slot.idle_since_ms.load(Ordering::Acquire));
            if slot.busy.load(Ordering::Acquire) == 0 && idle_ms >= limit_ms && slot.close() {
                open.state.metrics.connection_closed("timeout");
            }
        }
    }
}

/// Takes a connection out of the registry when its task ends.
struct Leave {
    open: Arc<OpenConnections>,
    id: u64,
}

impl Drop for Leave {
    fn drop(&mut self) {
        self.open.leave(self.id);
    }
}

/// Descriptors kept for what is not a client connection: the database, log, listeners.
const OTHER_DESCRIPTORS: u64 = 128;

/// Raises the soft limit on open files to the hard one (as most servers do: the soft default,
/// often 1,024, is a relic), and warns when `max` connections could still run out of them.
fn ensure_descriptors(max: usize) {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    let raised = Rlimit {
        current: limit.maximum,
        maximum: limit.maximum,
    };
    let soft = match setrlimit(Resource::Nofile, raised) {
        Ok(()) => limit.maximum,
        Err(_) => limit.current,
    };
    if let Some(soft) = soft
        && (max as u64).saturating_add(OTHER_DESCRIPTORS) > soft
    {
        tracing::warn!(
            connections_max = max,
            open_files_limit = soft,
            "connections.max is near the open-files limit: connections past it will fail to be accepted"
        );
    }
}

/// One open connection's standing.
struct Slot {
    id: u64,
    /// Requests in progress on it.
    busy: AtomicUsize,
    /// When it last finished a request or opened ([`coarse_ms`]).
    idle_since_ms: AtomicU64,
    /// The task serving it (set once spawned), aborted to close it.
    task: OnceLock<AbortHandle>,
    closing: AtomicBool,
}

impl Slot {
    /// Closes the connection (its task ends at its next turn); `false` when it was already
    /// being closed, or its task not yet spawned.
    fn close(&self) -> bool {
        let Some(task) = self.task.get() else {
            return false;
        };
        if self.closing.swap(true, Ordering::AcqRel) {
            return false;
        }
        task.abort();
        true
    }

    fn mark_idle(&self) {
        self.idle_since_ms.store(coarse_ms(), Ordering::Release);
    }
}

/// Milliseconds on the monotonic clock, read coarsely (to the kernel's last tick, a few ms):
/// enough for idleness, and cheaper than `Instant::now` on every request.
fn coarse_ms() -> u64 {
    let now = rustix::time::clock_gettime(rustix::time::ClockId::MonotonicCoarse);
    let ms = now.tv_sec.saturating_mul(1000) + now.tv_nsec / 1_000_000;
    u64::try_from(ms).unwrap_or(0)
}

struct OpenConnections {
    slots: Mutex<HashMap<u64, Arc<Slot>>>,
    next_id: AtomicU64,
    max: usize,
    /// For the metrics.
    state: AppState,
}

impl OpenConnections {
    fn new(max: usize, state: AppState) -> Self {
        OpenConnections {
            slots: Mutex::default(),
            next_id: AtomicU64::new(0),
            max,
            state,
        }
    }

    /// A slot for a new connection, making room at the cap; `None`: close it.
    fn admit(&self) -> Option<Arc<Slot>> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if slots.len() >= self.max {
            let idlest = slots
                .values()
                .filter(|slot| slot.busy.load(Ordering::Acquire) == 0)
                .min_by_key(|slot| slot.idle_since_ms.load(Ordering::Acquire))
                .cloned();
            let Some(idlest) = idlest else {
                self.state.metrics.connection_closed("refused");
                return None;
            };
            slots.remove(&idlest.id);
            idlest.close();
            self.state.metrics.connection_closed("evicted");
        }
        let slot = Arc::new(Slot {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            busy: AtomicUsize::new(0),
            idle_since_ms: AtomicU64::new(0),
            task: OnceLock::new(),
            closing: AtomicBool::new(false),
        });
        slot.mark_idle();
        slots.insert(slot.id, slot.clone());
        self.state.metrics.connections_open(slots.len());
        Some(slot)
    }

    fn leave(&self, id: u64) {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.remove(&id);
        self.state.metrics.connections_open(slots.len());
    }
}

/// The router, for one connection (its own copy knows the peer), marking the connection busy
/// while a request is in progress. A hyper service (called through a shared reference) rather
/// than a tower one behind hyper's adapter, which copies the whole service for every request.
struct ConnectionService {
    router: Api,
    slot: Arc<Slot>,
}

impl hyper::service::Service<axum::http::Request<Incoming>> for ConnectionService {
    type Response = Response;
    type Error = Infallible;
    type Future = InProgress<<Api as Service<axum::http::Request<Incoming>>>::Future>;

    fn call(&self, request: axum::http::Request<Incoming>) -> Self::Future {
        self.slot.busy.fetch_add(1, Ordering::AcqRel);
        InProgress {
            inner: self.router.call_shared(request),
            slot: self.slot.clone(),
        }
    }
}

pin_project_lite::pin_project! {
    /// A request's answer; the connection is busy until it is ready (or dropped).
    struct InProgress<F> {
        #[pin]
        inner: F,
        slot: Arc<Slot>,
    }

    impl<F> PinnedDrop for InProgress<F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            this.slot.mark_idle();
            this.slot.busy.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

impl<F: Future> Future for InProgress<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.project().inner.poll(cx)
    }
}
