//! Logs to stderr, off the request path. A line is formatted where it happens and appended to
//! an in-memory buffer under a short lock; a writer thread takes the whole buffer every
//! [`FLUSH_EVERY`] (or sooner, when it is half full) and writes it with one `write`. So a
//! request makes no syscall and wakes no thread for its log line.
//!
//! When the buffer is full (stderr stalled: a blocked pipe, a slow log collector) the line is
//! dropped and counted (`jwtd_log_lines_dropped_total`); a request never waits for its log
//! line. At exit the guard writes what is buffered.
//!
//! Why not tracing-appender's non-blocking writer (used before): it hands each line through a
//! channel to its thread, which costs a wake-up and a `write` per line — on one core, two
//! context switches per request, ~15 % of a verify.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::{self, JoinHandle, Thread};
use std::time::Duration;

use jwtd_core::settings::LogFormat;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Bytes the buffer holds at most (≈ 100,000 typical request lines).
const BUFFER_BYTES: usize = 16 << 20;
/// How long a line waits at most before it is written.
const FLUSH_EVERY: Duration = Duration::from_millis(50);

static DROPPED: AtomicU64 = AtomicU64::new(0);

/// Log lines dropped so far because the buffer was full.
pub fn dropped_lines() -> u64 {
    DROPPED.load(Ordering::Relaxed)
}

/// Lines waiting for the writer thread.
struct Buffer {
    lines: Mutex<Vec<u8>>,
    /// The writer thread, woken early when the buffer is half full.
    writer: OnceLock<Thread>,
    woken: AtomicBool,
    stopping: AtomicBool,
}

impl Buffer {
    fn append(&self, line: &[u8]) {
        let half_full = {
            let mut lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
            if lines.len() + line.len() > BUFFER_BYTES {
                DROPPED.fetch_add(1, Ordering::Relaxed);
                return;
            }
            lines.extend_from_slice(line);
            lines.len() > BUFFER_BYTES / 2
        };
        if half_full
            && !self.woken.swap(true, Ordering::AcqRel)
            && let Some(writer) = self.writer.get()
        {
            writer.unpark();
        }
    }

    /// Writes whatever is buffered; the next batch fills `spare`.
    fn write_out(&self, spare: &mut Vec<u8>, out: &mut impl Write) {
        {
            let mut lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
            std::mem::swap(&mut *lines, spare);
        }
        self.woken.store(false, Ordering::Release);
        if !spare.is_empty() {
            // A failed write (stderr closed) loses the lines, as writing directly would.
            let _ = out.write_all(spare);
            let _ = out.flush();
            spare.clear();
        }
    }
}

/// One event's writer: the formatter writes the whole line in one `write_all`.
#[derive(Clone)]
struct BufferWriter(Arc<Buffer>);

impl Write for BufferWriter {
    fn write(&mut self, line: &[u8]) -> std::io::Result<usize> {
        self.0.append(line);
        Ok(line.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for BufferWriter {
    type Writer = BufferWriter;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Keeps the writer thread; dropping it writes the buffered lines.
pub struct LogGuard {
    buffer: Arc<Buffer>,
    writer: Option<JoinHandle<()>>,
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        self.buffer.stopping.store(true, Ordering::Release);
        if let Some(writer) = self.writer.take() {
            writer.thread().unpark();
            let _ = writer.join();
        }
    }
}

fn start_writer(buffer: Arc<Buffer>) -> Option<JoinHandle<()>> {
    let thread = thread::Builder::new()
        .name("jwtd-log".into())
        .spawn(move || {
            let mut spare = Vec::new();
            let mut stderr = std::io::stderr();
            loop {
                let stopping = buffer.stopping.load(Ordering::Acquire);
                buffer.write_out(&mut spare, &mut stderr);
                if stopping {
                    return;
                }
                thread::park_timeout(FLUSH_EVERY);
            }
        })
        .ok()?;
    Some(thread)
}

/// Human-readable lines (coloured on a terminal) or one JSON object per line, at `RUST_LOG`'s
/// level (default: info, sqlx warnings only).
pub fn init(format: LogFormat) -> LogGuard {
    let buffer = Arc::new(Buffer {
        lines: Mutex::new(Vec::new()),
        writer: OnceLock::new(),
        woken: AtomicBool::new(false),
        stopping: AtomicBool::new(false),
    });
    let writer = start_writer(buffer.clone());
    if let Some(thread) = &writer {
        let _ = buffer.writer.set(thread.thread().clone());
    }
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(BufferWriter(buffer.clone()));
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
    LogGuard { buffer, writer }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buffer() -> Buffer {
        Buffer {
            lines: Mutex::new(Vec::new()),
            writer: OnceLock::new(),
            woken: AtomicBool::new(false),
            stopping: AtomicBool::new(false),
        }
    }

    #[test]
    fn lines_are_written_in_order_in_one_batch() {
        let buffer = buffer();
        buffer.append(b"one\n");
        buffer.append(b"two\n");
        let (mut spare, mut out) = (Vec::new(), Vec::new());
        buffer.write_out(&mut spare, &mut out);
        assert_eq!(out, b"one\ntwo\n");
        buffer.write_out(&mut spare, &mut out);
        assert_eq!(out, b"one\ntwo\n", "nothing is written twice");
    }

    #[test]
    fn a_full_buffer_drops_and_counts_lines_without_waiting() {
        let buffer = buffer();
        let line = vec![b'x'; 1 << 20];
        let before = dropped_lines();
        for _ in 0..(BUFFER_BYTES >> 20) + 3 {
            buffer.append(&line);
        }
        assert!(dropped_lines() >= before + 3);
        let (mut spare, mut out) = (Vec::new(), Vec::new());
        buffer.write_out(&mut spare, &mut out);
        assert_eq!(out.len(), BUFFER_BYTES, "whole lines only, up to the bound");
    }
}
