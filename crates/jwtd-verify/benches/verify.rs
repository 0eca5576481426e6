//! A token checked by `jwtd-verify` against the same check inside jwtd (`TokenService::decode`,
//! what a protected route runs before its user lookup): the crate must cost within 10 %.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use jwtd_core::Settings;
use jwtd_core::token::{Subject, TokenKind, TokenService};
use jwtd_verify::Verifier;

const KEY: &str = "benchmark signing key, the same on both servers";

fn now() -> i64 {
    jwtd_core::Clock::system().now().secs()
}

fn verify(c: &mut Criterion) {
    // Both with the verified-token cache off: the full check, not a cache hit, on each side.
    let settings = Settings {
        verified_token_cache: 0,
        ..Settings::default()
    };
    let jwtd = TokenService::with_secret(&settings, KEY.as_bytes());
    let user = Subject {
        id: 1,
        username: "alice",
        email: "alice@example.com",
        revoke_key: "0123456789abcdef0123456789abcdef",
    };
    let refresh = jwtd.for_user(TokenKind::Refresh, &user, [], now());
    let mut access = jwtd.access_from_refresh(&refresh, now());
    access.insert("roles".into(), serde_json::json!(["admin"]));
    let token = jwtd.encode(&access);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let verifier = runtime
        .block_on(
            Verifier::builder()
                .hs_secret(KEY)
                .verified_token_cache(0)
                .build(),
        )
        .unwrap();
    let mut group = c.benchmark_group("HS256 access token");
    group.bench_function("jwtd's own check (TokenService::decode)", |b| {
        b.iter(|| {
            jwtd.decode(black_box(&token), Some(TokenKind::Access), now())
                .unwrap()
        })
    });
    // Polled once, as an executor polls it in a handler: with a static key nothing awaits, so
    // no runtime's scheduling is counted.
    group.bench_function("jwtd-verify (Verifier::verify)", |b| {
        b.iter(|| ready(verifier.verify(black_box(&token))).unwrap())
    });
    group.finish();
}

/// The output of a future that completes on its first poll.
fn ready<T>(future: impl std::future::Future<Output = T>) -> T {
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match std::pin::pin!(future).poll(&mut context) {
        std::task::Poll::Ready(value) => value,
        std::task::Poll::Pending => unreachable!("a static-key verifier never waits"),
    }
}

criterion_group!(benches, verify);
criterion_main!(benches);
