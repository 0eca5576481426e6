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
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Instant;

use axum::Router;
use axum::body::{Body, HttpBody};
use axum::extract::Request;
use axum::http::{self, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jwtd_core::Msg;
use tower::Service;
use tower::util::Either;
use tower_http::cors::Cors;

use super::client_ip::ClientIp;
use super::error::ApiError;
use super::now::Now;
use crate::logging::RequestLine;
use crate::state::AppState;

/// A constant name: looked up and inserted on every request without parsing or allocating it.
const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What [`Observed`] learnt of a request on its way in, for the handlers: one extension rather
/// than three (each insert into a request's extensions may grow their table).
#[derive(Clone, Debug)]
pub struct Observation {
    /// The connection's peer (`None` when not served from a socket, as in unit tests).
    pub peer: Option<SocketAddr>,
    pub now: Now,
    pub client_ip: ClientIp,
    pub request_id: HeaderValue,
}

impl Observation {
    pub fn of(parts: &http::request::Parts) -> Option<&Observation> {
        parts.extensions.get::<Observation>()
    }
}

/// The request's id, for the audit log.
pub struct RequestId;

impl RequestId {
    pub fn of(parts: &http::request::Parts) -> Option<String> {
        let id = &Observation::of(parts)?.request_id;
        id.to_str().ok().map(str::to_owned)
    }
}

/// The API as one service: [`Observed`] around CORS (when configured) around the router.
pub type Api = Observed<Either<Cors<Router>, Router>>;

/// Every request's way in and out, around the whole router (not each route): on the way in
/// its instant, id and client IP; on the way out its error rendered
/// ([`super::error::render`]), its metrics, its log line and its id header. A panic inside is
/// caught here and answered as a 500.
///
/// Written as a plain service rather than middlewares layered on every route, each of which
/// costs a boxed future and a cloned route service per request (four of them were ≈ 15 % of a
/// verify).
#[derive(Clone)]
pub struct Observed<S> {
    inner: S,
    app: AppState,
    /// The connection's peer: each connection serves its own copy.
    peer: Option<SocketAddr>,
}

impl<S> Observed<S> {
    pub fn new(inner: S, app: AppState) -> Self {
        Observed {
            inner,
            app,
            peer: None,
        }
    }
}

impl<S: Clone> Observed<S> {
    /// This service for one connection from `peer`.
    pub fn for_peer(&self, peer: SocketAddr) -> Self {
        Observed {
            inner: self.inner.clone(),
            app: self.app.clone(),
            peer: Some(peer),
        }
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
        observe(&self.app, self.peer, &mut self.inner, request)
    }
}

impl<S: Clone> Observed<S> {
    /// [`Service::call`] through a shared reference, as hyper calls a connection's service:
    /// only the inner service is copied (for a router, a reference count), not the whole
    /// service as hyper's tower adapter would on every request.
    pub fn call_shared<B>(&self, request: http::Request<B>) -> Observing<S::Future>
    where
        S: Service<Request, Response = Response, Error = Infallible>,
        B: HttpBody<Data = axum::body::Bytes> + Send + 'static,
        B::Error: Into<axum::BoxError>,
    {
        observe(&self.app, self.peer, &mut self.inner.clone(), request)
    }
}

/// The way in of [`Observed`], calling `inner` with the request.
fn observe<S, B>(
    app: &AppState,
    peer: Option<SocketAddr>,
    inner: &mut S,
    request: http::Request<B>,
) -> Observing<S::Future>
where
    S: Service<Request, Response = Response, Error = Infallible>,
    B: HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    let mut request = request.map(Body::new);
    let started = Instant::now();
    let headers = request.headers_mut();
    for name in [header::AUTHORIZATION, header::COOKIE] {
        if let header::Entry::Occupied(mut values) = headers.entry(name) {
            values.iter_mut().for_each(|v| v.set_sensitive(true));
        }
    }
    let id = headers
        .get(&REQUEST_ID)
        .filter(|v| is_sane_id(v.as_bytes()))
        .cloned()
        .unwrap_or_else(new_request_id);
    // A clone shares the request's buffer: no copy unless an error needs it.
    let accept_language = headers.get(header::ACCEPT_LANGUAGE).cloned();
    let ip = ClientIp::resolve(peer, request.headers(), app).0;
    let route = app.route_label(request.uri().path());
    let method = request.method().clone();
    request.extensions_mut().insert(Observation {
        peer,
        now: Now(app.clock.now()),
        client_ip: ClientIp(ip),
        request_id: id.clone(),
    });
    let inner = panic::catch_unwind(AssertUnwindSafe(|| inner.call(request)));
    Observing {
        inner: inner.ok(),
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
    /// A request in progress through [`Observed`]; `inner` is `None` when the call panicked.
    pub struct Observing<F> {
        #[pin]
        inner: Option<F>,
        pending: Option<Pending>,
    }
}

impl<F: Future<Output = Result<Response, Infallible>>> Future for Observing<F> {
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let answer = match this.inner.as_pin_mut() {
            Some(inner) => match panic::catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
                Ok(Poll::Pending) => return Poll::Pending,
                Ok(Poll::Ready(Ok(response))) => response,
                Err(_) => panicked(),
            },
            None => panicked(),
        };
        let pending = this.pending.take().expect("polled after completion");
        Poll::Ready(Ok(pending.finish(answer)))
    }
}

/// The answer to a request whose handler panicked (the panic message went to the log).
fn panicked() -> Response {
    ApiError::detail(StatusCode::INTERNAL_SERVER_ERROR, Msg::ServerError).into_response()
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

#[cfg(test)]
mod tests {
    use std::future::poll_fn;

    use axum::body::to_bytes;
    use tower::ServiceExt;

    use super::*;

    async fn app(dir: &tempfile::TempDir) -> AppState {
        let settings = jwtd_core::Settings {
            data_dir: dir.path().to_owned(),
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            ..Default::default()
        };
        crate::server::Server::build(settings)
            .await
            .expect("server builds")
            .state()
    }

    async fn answer_of<S>(service: S, app: AppState) -> (StatusCode, String)
    where
        S: Service<Request, Response = Response, Error = Infallible>,
    {
        let request = http::Request::get("/anything").body(Body::empty()).unwrap();
        let Ok(response) = Observed::new(service, app).oneshot(request).await;
        let status = response.status();
        let body = to_bytes(response.into_body(), 1024).await.unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn a_panic_while_calling_or_polling_is_answered_as_a_500() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(&dir).await;
        let expected = (
            StatusCode::INTERNAL_SERVER_ERROR,
            r#"{"detail":"A server error occurred."}"#.to_owned(),
        );
        let in_call = tower::service_fn(|_: Request| -> std::future::Ready<_> {
            panic!("a handler's bug, while called")
        });
        assert_eq!(answer_of(in_call, app.clone()).await, expected);
        let in_poll = tower::service_fn(|_: Request| {
            poll_fn(|_| -> Poll<Result<Response, Infallible>> {
                panic!("a handler's bug, while polled")
            })
        });
        assert_eq!(answer_of(in_poll, app).await, expected);
    }
}
