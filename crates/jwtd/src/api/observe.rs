//! One log line per request, its request id, and the request's instant ([`Now`]).
//!
//! The id is the client's `X-Request-Id` when it is a sane token (1–128 visible ASCII
//! characters), else 32 hex digits unique to the process; it is echoed in the response. The line carries method, route
//! (the endpoint's name, not the raw path, so it stays low-cardinality), status, latency, id and
//! client IP — never a header or body, so no password, token or key can reach the log.

use std::net::SocketAddr;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

use super::client_ip::ClientIp;
use super::now::Now;
use crate::logging::RequestLine;
use crate::state::AppState;

const REQUEST_ID: &str = "x-request-id";

/// The request's id, for the audit log.
#[derive(Clone, Debug)]
pub struct RequestId(pub HeaderValue);

impl RequestId {
    pub fn of(parts: &axum::http::request::Parts) -> Option<String> {
        let id = parts.extensions.get::<RequestId>()?;
        id.0.to_str().ok().map(str::to_owned)
    }
}

pub async fn observe(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let id = request
        .headers()
        .get(REQUEST_ID)
        .filter(|v| is_sane_id(v.as_bytes()))
        .cloned()
        .unwrap_or_else(new_request_id);
    request.extensions_mut().insert(Now(app.clock.now()));
    request.extensions_mut().insert(RequestId(id.clone()));
    let method = request.method().clone();
    let route = app.route_label(request.uri().path());
    let ip = ClientIp::resolve(Some(peer), request.headers(), &app).0;
    request.extensions_mut().insert(ClientIp(ip));
    let mut response = next.run(request).await;
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    app.metrics
        .request(route, &method, status, elapsed.as_secs_f64());
    crate::logging::request(&RequestLine {
        method: method.as_str(),
        route,
        status,
        latency: elapsed,
        request_id: id.to_str().unwrap_or(""),
        client_ip: ip,
    });
    response.headers_mut().insert(REQUEST_ID, id);
    response
}

/// A fresh request id: 16 hex digits chosen at random once per process, then a counter. Ids
/// only correlate log lines (they are no secret), so none costs the `getrandom` syscall a
/// random UUID would on every request.
fn new_request_id() -> HeaderValue {
    static PREFIX: LazyLock<u64> = LazyLock::new(|| getrandom::u64().unwrap_or_default());
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let id = (u128::from(*PREFIX) << 64) | u128::from(n);
    let mut hex = [0u8; 32];
    for (i, digit) in hex.iter_mut().enumerate() {
        *digit = b"0123456789abcdef"[((id >> (124 - 4 * i)) & 0xf) as usize];
    }
    HeaderValue::from_bytes(&hex).expect("hex is a valid header value")
}

fn is_sane_id(id: &[u8]) -> bool {
    (1..=128).contains(&id.len()) && id.iter().all(|b| b.is_ascii_graphic())
}
