//! Logs to stderr, off the request path: a line is formatted where it happens and handed to a
//! writer thread through a bounded queue (tracing-appender's non-blocking writer), so no request
//! makes a write syscall. When the queue is full (stderr stalled: a blocked pipe, a slow log
//! collector) the line is dropped and counted (`jwtd_log_lines_dropped_total`); a request never
//! waits for its log line. At exit the guard writes what is queued.

use std::sync::OnceLock;

use jwtd_core::settings::LogFormat;
use tracing_appender::non_blocking::{ErrorCounter, NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;

/// Lines the queue holds at most (≈ 16 MB of typical request lines).
const QUEUED_LINES: usize = 65_536;

static DROPPED: OnceLock<ErrorCounter> = OnceLock::new();

/// Keeps the writer thread; dropping it writes the queued lines.
pub struct LogGuard(#[allow(dead_code)] WorkerGuard);

/// Log lines dropped so far because the queue was full.
pub fn dropped_lines() -> u64 {
    DROPPED
        .get()
        .map_or(0, |counter| counter.dropped_lines() as u64)
}

/// Human-readable lines (coloured on a terminal) or one JSON object per line, at `RUST_LOG`'s
/// level (default: info, sqlx warnings only).
pub fn init(format: LogFormat) -> LogGuard {
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(true)
        .buffered_lines_limit(QUEUED_LINES)
        .thread_name("jwtd-log")
        .finish(std::io::stderr());
    let _ = DROPPED.set(writer.error_counter());
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    let _ = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
    };
    LogGuard(guard)
}
