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
//! context switches per request.
//!
//! The request line ([`request`]) is the one line every request writes, so it is formatted
//! here directly, in the same layout as tracing's lines (text or JSON): tracing's per-event
//! field visiting and `Debug` formatting cost ~10 % of a verify. `RUST_LOG` still decides
//! whether it is written (target `jwtd::request`, level INFO).

use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::Write;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::{self, JoinHandle, Thread};
use std::time::{Duration, SystemTime};

use jwtd_core::settings::LogFormat;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Bytes the buffer holds at most (≈ 100,000 typical request lines).
const BUFFER_BYTES: usize = 16 << 20;
/// How long a line waits at most before it is written.
const FLUSH_EVERY: Duration = Duration::from_millis(50);

static DROPPED: AtomicU64 = AtomicU64::new(0);

/// Where [`request`] writes, once [`init`] ran.
static SINK: OnceLock<Sink> = OnceLock::new();

struct Sink {
    buffer: Arc<Buffer>,
    format: LogFormat,
    ansi: bool,
}

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
    fn new() -> Buffer {
        Buffer {
            lines: Mutex::new(Vec::new()),
            writer: OnceLock::new(),
            woken: AtomicBool::new(false),
            stopping: AtomicBool::new(false),
        }
    }

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
    let buffer = Arc::new(Buffer::new());
    let writer = start_writer(buffer.clone());
    if let Some(thread) = &writer {
        let _ = buffer.writer.set(thread.thread().clone());
    }
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(BufferWriter(buffer.clone()));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = SINK.set(Sink {
        buffer: buffer.clone(),
        format,
        ansi,
    });
    let _ = match format {
        LogFormat::Text => builder.with_ansi(ansi).try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
    };
    LogGuard { buffer, writer }
}

/// What the request line says.
pub struct RequestLine<'a> {
    pub method: &'a str,
    pub route: &'a str,
    pub status: u16,
    pub latency: Duration,
    pub request_id: &'a str,
    pub client_ip: IpAddr,
}

/// Logs a request's line (target `jwtd::request`, INFO), as tracing would lay it out.
pub fn request(line: &RequestLine) {
    if !tracing::enabled!(target: "jwtd::request", tracing::Level::INFO) {
        return;
    }
    let Some(sink) = SINK.get() else {
        // Not jwtd's own subscriber (a test's, say): through tracing, like any line.
        tracing::info!(
            target: "jwtd::request",
            method = line.method,
            route = line.route,
            status = line.status,
            latency_ms = line.latency.as_secs_f64() * 1000.0,
            request_id = line.request_id,
            client_ip = %line.client_ip,
            "request"
        );
        return;
    };
    thread_local! {
        static TEXT: RefCell<String> = RefCell::new(String::with_capacity(256));
    }
    TEXT.with_borrow_mut(|text| {
        text.clear();
        match sink.format {
            LogFormat::Text => line.write_text(text, sink.ansi),
            LogFormat::Json => line.write_json(text),
        }
        sink.buffer.append(text.as_bytes());
    });
}

impl RequestLine<'_> {
    /// `2026-01-02T03:04:05.123456Z  INFO jwtd::request: request method=POST route="…" …`
    fn write_text(&self, out: &mut String, ansi: bool) {
        let (dim, green, italic, reset) = if ansi {
            ("\x1b[2m", "\x1b[32m", "\x1b[3m", "\x1b[0m")
        } else {
            ("", "", "", "")
        };
        // Pieces pushed one by one: `write!` runs the formatting machinery for every piece.
        out.push_str(dim);
        timestamp(out, SystemTime::now());
        #[rustfmt::skip]
        push_all(out, &[
            reset, " ", green, " INFO", reset, " ", dim, "jwtd::request", reset, dim, ":", reset,
            " request",
        ]);
        let field = |out: &mut String, name: &str| {
            push_all(out, &[" ", italic, name, reset, dim, "=", reset]);
        };
        field(out, "method");
        out.push_str(self.method);
        field(out, "route");
        quoted(out, self.route);
        field(out, "status");
        out.push_str(itoa::Buffer::new().format(self.status));
        field(out, "latency_ms");
        milliseconds(out, self.latency);
        field(out, "request_id");
        quoted(out, self.request_id);
        field(out, "client_ip");
        ip(out, self.client_ip);
        out.push('\n');
    }

    /// tracing's flattened JSON: `{"timestamp":…,"level":"INFO","message":"request",…,"target":…}`
    fn write_json(&self, out: &mut String) {
        out.push_str("{\"timestamp\":\"");
        timestamp(out, SystemTime::now());
        out.push_str("\",\"level\":\"INFO\",\"message\":\"request\",\"method\":");
        quoted(out, self.method);
        out.push_str(",\"route\":");
        quoted(out, self.route);
        out.push_str(",\"status\":");
        out.push_str(itoa::Buffer::new().format(self.status));
        out.push_str(",\"latency_ms\":");
        milliseconds(out, self.latency);
        out.push_str(",\"request_id\":");
        quoted(out, self.request_id);
        out.push_str(",\"client_ip\":\"");
        ip(out, self.client_ip);
        out.push_str("\",\"target\":\"jwtd::request\"}\n");
    }
}

/// `text` in double quotes, `"` and `\` escaped: the same in JSON and in Rust's `Debug` for the
/// visible ASCII that request ids, methods and routes are made of; anything else is escaped
/// as JSON's `\u` (also valid for a human reader).
fn quoted(out: &mut String, text: &str) {
    out.push('"');
    // Every byte looked at, without an early exit: the loop vectorizes (an `all` does not).
    let plain = text.bytes().fold(true, |plain, b| {
        plain & (b' '..=b'~').contains(&b) & (b != b'"') & (b != b'\\')
    });
    if plain {
        // The usual case (routes, methods, jwtd's own ids): nothing to escape.
        out.push_str(text);
        out.push('"');
        return;
    }
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            other => {
                let mut units = [0u16; 2];
                for unit in other.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

fn push_all(out: &mut String, pieces: &[&str]) {
    pieces.iter().for_each(|piece| out.push_str(piece));
}

/// Milliseconds with microsecond precision, e.g. `0.053`.
fn milliseconds(out: &mut String, latency: Duration) {
    let micros = latency.as_micros();
    out.push_str(itoa::Buffer::new().format(micros / 1000));
    out.push('.');
    zero_padded(out, (micros % 1000) as u32, 3);
}

/// `value`'s last `width` decimal digits, zero-padded.
fn zero_padded(out: &mut String, value: u32, width: u32) {
    for place in (0..width).rev() {
        out.push(char::from(b'0' + (value / 10u32.pow(place) % 10) as u8));
    }
}

/// `2026-01-02T03:04:05.123456Z`, as `humantime::format_rfc3339_micros` writes it; the date
/// and time of day are formatted once a second per thread (a calendar conversion per line
/// cost more than the rest of the line).
fn timestamp(out: &mut String, at: SystemTime) {
    thread_local! {
        static SECOND: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
    }
    let since_epoch = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    SECOND.with_borrow_mut(|(second, text)| {
        if *second != since_epoch.as_secs() {
            *second = since_epoch.as_secs();
            text.clear();
            let whole = SystemTime::UNIX_EPOCH + Duration::from_secs(*second);
            let _ = write!(text, "{}", humantime::format_rfc3339_seconds(whole));
            text.pop(); // its `Z`
        }
        out.push_str(text);
    });
    out.push('.');
    zero_padded(out, since_epoch.subsec_micros(), 6);
    out.push('Z');
}

/// An IP address as `Display` writes it; IPv4 without the formatting machinery.
fn ip(out: &mut String, ip: IpAddr) {
    match ip {
        IpAddr::V4(v4) => {
            for (i, octet) in v4.octets().into_iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                out.push_str(itoa::Buffer::new().format(octet));
            }
        }
        IpAddr::V6(v6) => {
            let _ = write!(out, "{v6}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(request_id: &str) -> RequestLine<'_> {
        RequestLine {
            method: "POST",
            route: "token_verify",
            status: 401,
            latency: Duration::from_micros(1_234_567),
            request_id,
            client_ip: IpAddr::from([127, 0, 0, 1]),
        }
    }

    #[test]
    fn the_json_request_line_is_traces_flattened_layout() {
        let mut out = String::new();
        line("a\"b\\c é").write_json(&mut out);
        assert!(out.ends_with("}\n"));
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        let keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "timestamp",
                "level",
                "message",
                "method",
                "route",
                "status",
                "latency_ms",
                "request_id",
                "client_ip",
                "target"
            ]
        );
        assert_eq!(value["request_id"], "a\"b\\c é");
        assert_eq!(value["latency_ms"], 1234.567);
        assert_eq!(value["status"], 401);
        assert_eq!(value["target"], "jwtd::request");
        assert!(value["timestamp"].as_str().unwrap().ends_with('Z'));
    }

    #[test]
    fn the_text_request_line_is_traces_full_layout() {
        let mut out = String::new();
        line("a\"b").write_text(&mut out, false);
        let (timestamp, rest) = out.split_once(' ').unwrap();
        assert_eq!(timestamp.len(), "2026-01-02T03:04:05.123456Z".len());
        assert_eq!(
            rest,
            " INFO jwtd::request: request method=POST route=\"token_verify\" status=401 \
             latency_ms=1234.567 request_id=\"a\\\"b\" client_ip=127.0.0.1\n"
        );
    }

    #[test]
    fn the_coloured_text_line_is_traces_ansi_layout() {
        let mut out = String::new();
        line("id").write_text(&mut out, true);
        let (d, g, i, r) = ("\x1b[2m", "\x1b[32m", "\x1b[3m", "\x1b[0m");
        let timestamp_len = "2026-01-02T03:04:05.123456Z".len();
        let field = |name: &str| format!(" {i}{name}{r}{d}={r}");
        let expected = format!(
            "{r} {g} INFO{r} {d}jwtd::request{r}{d}:{r} request{}POST{}\"token_verify\"{}401{}\
             1234.567{}\"id\"{}127.0.0.1\n",
            field("method"),
            field("route"),
            field("status"),
            field("latency_ms"),
            field("request_id"),
            field("client_ip"),
        );
        assert_eq!(&out[..d.len()], d);
        assert_eq!(&out[d.len() + timestamp_len..], expected);
    }

    #[test]
    fn timestamps_and_addresses_read_as_their_display_forms() {
        for at in [
            0,
            1,
            999_999,
            1_000_000,
            1_795_000_123_456_789,
            4_102_444_799_999_999,
        ] {
            let instant = SystemTime::UNIX_EPOCH + Duration::from_micros(at);
            let mut out = String::new();
            timestamp(&mut out, instant);
            // Twice within one second: the cached date must not leak into the next.
            timestamp(&mut out, instant);
            let expected = humantime::format_rfc3339_micros(instant).to_string();
            assert_eq!(out, expected.repeat(2));
        }
        for address in [
            "127.0.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "10.20.3.4",
            "::1",
            "2001:db8::7",
        ] {
            let address: IpAddr = address.parse().unwrap();
            let mut out = String::new();
            ip(&mut out, address);
            assert_eq!(out, address.to_string());
        }
        for micros in [0, 7, 999, 1_000, 1_234_567, 90_000_001] {
            let mut out = String::new();
            milliseconds(&mut out, Duration::from_micros(micros));
            assert_eq!(out, format!("{}.{:03}", micros / 1000, micros % 1000));
        }
    }

    #[test]
    fn lines_are_written_in_order_in_one_batch() {
        let buffer = Buffer::new();
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
        let buffer = Buffer::new();
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
