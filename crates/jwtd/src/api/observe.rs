//! One log line per request, its request id, the request's instant ([`Now`]), and its error
//! rendered: [`Observed`], the service around the router.
//!
//! The id is the client's `X-Request-Id` when it is a sane token (1–128 visible ASCII
//! characters), else 32 hex digits unique to the process; it is echoed in the response. The line carries method, route
//! (the endpoint's name, not the raw path, so it stays low-cardinality), status, latency, id and
//! client IP — never a header or body, so no password, token or key can reach the log.

use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Instant;

use axum::body::{Body, HttpBody};
use axum::extract::{ConnectInfo, Request};
use axum::http::{self, HeaderValue, Method, header};
use axum::response::Response;
use tower::Service;

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

/// The API as one service: [`Observed`] around the router.
pub type Api = Observed<axum::Router>;

/// Every request's way in and out, around the whole router (not each route): on the way in
/// its instant, id and client IP; on the way out its error rendered
/// ([`super::error::render`]), its metrics, its log line and its id header.
///
/// Written as a plain service rather than two `from_fn` middlewares on every route, which
/// cost two boxed futures and two cloned route services per request (≈ 10 % of a verify).
#[derive(Clone)]
pub struct Observed<S> {
    inner: S,
    app: AppState,
}

impl<S> Observed<S> {
    pub fn new(inner: S, app: AppState) -> Self {
        Observed { inner, app }
    }
}

impl<S, B> Service<http::Request<B>> for Observed<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
    B: HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Observing<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let mut request = request.map(Body::new);
        let started = Instant::now();
        let app = &self.app;
        let headers = request.headers_mut();
        for name in [header::AUTHORIZATION, header::COOKIE] {
            if let header::Entry::Occupied(mut values) = headers.entry(name) {
                values.iter_mut().for_each(|v| v.set_sensitive(true));
            }
        }
        let id = headers
            .get(REQUEST_ID)
            .filter(|v| is_sane_id(v.as_bytes()))
            .cloned()
            .unwrap_or_else(new_request_id);
        // A clone shares the request's buffer: no copy unless an error needs it.
        let accept_language = headers.get(header::ACCEPT_LANGUAGE).cloned();
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        let ip = ClientIp::resolve(peer, request.headers(), app).0;
        let route = app.route_label(request.uri().path());
        let method = request.method().clone();
        let extensions = request.extensions_mut();
        extensions.insert(Now(app.clock.now()));
        extensions.insert(RequestId(id.clone()));
        extensions.insert(ClientIp(ip));
        Observing {
            inner: self.inner.call(request),
            pending: Some(Pending {
                app: app.clone(),
                started,
                id,
                accept_language,
                method,
                route,
                ip,
            }),
        }
    }
}

/// What the way out needs of the way in.
struct Pending {
    app: AppState,
    started: Instant,
    id: HeaderValue,
    accept_language: Option<HeaderValue>,
    method: Method,
    route: &'static str,
    ip: IpAddr,
}

impl Pending {
    fn finish(self, mut response: Response) -> Response {
        super::error::render(&self.app, self.accept_language.as_ref(), &mut response);
        let status = response.status().as_u16();
        let elapsed = self.started.elapsed();
        self.app
            .metrics
            .request(self.route, &self.method, status, elapsed.as_secs_f64());
        crate::logging::request(&RequestLine {
            method: self.method.as_str(),
            route: self.route,
            status,
            latency: elapsed,
            request_id: self.id.to_str().unwrap_or(""),
            client_ip: self.ip,
        });
        response.headers_mut().insert(REQUEST_ID, self.id);
        response
    }
}

pin_project_lite::pin_project! {
    /// A request in progress through [`Observed`].
    pub struct Observing<F> {
        #[pin]
        inner: F,
        pending: Option<Pending>,
    }
}

impl<F: Future<Output = Result<Response, Infallible>>> Future for Observing<F> {
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Ok(response) = std::task::ready!(this.inner.poll(cx));
        let pending = this.pending.take().expect("polled after completion");
        Poll::Ready(Ok(pending.finish(response)))
    }
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
