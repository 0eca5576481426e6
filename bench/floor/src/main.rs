//! The floor of the benchmark: the HTTP stack jwtd is built on (tokio's multi-threaded runtime,
//! hyper through axum) answering the cheap endpoints with fixed bodies — reading the request
//! body as jwtd does, and doing nothing else. Whatever jwtd does beyond this is its own cost;
//! `bench/run` reports jwtd's rate as a fraction of this server's.
//!
//! Connections are served as `axum::serve` serves them (hyper-util's auto builder behind tower's
//! adapter), with the two settings jwtd's accept loop makes (`crates/jwtd/src/connections.rs`):
//! `TCP_NODELAY`, and HTTP/1 responses written as one flat buffer (`writev(false)`, ≈ 6 % more
//! requests a second than axum's default here) — so the floor gains what jwtd's stack gains.
//!
//! `jwtd-floor ADDR` (e.g. `127.0.0.1:8100`).

use axum::Router;
use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::routing::{get, post};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;

// The allocator jwtd uses: the floor is jwtd's stack, allocator included.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8100".into());
    let app = Router::new()
        .route(
            "/token/verify/",
            post(|body: Bytes| async move {
                // The body is read (and its size looked at) as a verify's would be.
                let _ = body.len();
                ([(CONTENT_TYPE, "application/json")], "{}")
            }),
        )
        .route(
            "/users/me/",
            get(|| async {
                (
                    [(CONTENT_TYPE, "application/json")],
                    r#"{"id":1,"username":"bench1","email":"bench1@example.com","roles":[]}"#,
                )
            }),
        );
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .unwrap_or_else(|e| panic!("cannot listen on {addr}: {e}"));
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().writev(false);
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let connection = builder
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()))
            .into_owned();
        tokio::spawn(connection);
    }
}
