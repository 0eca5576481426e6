//! Micro-benchmarks of what each request costs in jwtd-core: signing and checking tokens, and
//! the password hashes (`cargo bench -p jwtd-core`). These are the floors `bench/run` compares
//! the HTTP numbers with.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use jwtd_core::Settings;
use jwtd_core::password::Hasher;
use jwtd_core::token::{Subject, TokenKind, TokenService};

const KEY: &[u8] = b"benchmark signing key, the same on both servers";

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Settings whose token service checks every token in full (no verified-token cache), so a
/// decode benchmark measures the check, not a cache hit.
fn uncached() -> Settings {
    Settings {
        verified_token_cache: 0,
        ..Settings::default()
    }
}

fn tokens(c: &mut Criterion) {
    let service = TokenService::with_secret(&uncached(), KEY);
    let cached = TokenService::with_secret(&Settings::default(), KEY);
    let user = Subject {
        id: 1,
        username: "alice",
        email: "alice@example.com",
        revoke_key: "0123456789abcdef0123456789abcdef",
    };
    let refresh = service.for_user(TokenKind::Refresh, &user, [], now());
    let access = service.access_from_refresh(&refresh, now());
    let token = service.encode(&access);
    let (signing_input, signature) = token.rsplit_once('.').unwrap();
    let key = jsonwebtoken::DecodingKey::from_secret(KEY);

    c.bench_function("HS256 sign (encode an access token)", |b| {
        b.iter(|| service.encode(black_box(&access)))
    });
    c.bench_function("HS256 verify (signature only)", |b| {
        b.iter(|| {
            jsonwebtoken::crypto::verify(
                black_box(signature),
                black_box(signing_input.as_bytes()),
                &key,
                jsonwebtoken::Algorithm::HS256,
            )
            .unwrap()
        })
    });
    c.bench_function("access token decode + validate", |b| {
        b.iter(|| {
            service
                .decode(black_box(&token), Some(TokenKind::Access), now())
                .unwrap()
        })
    });
    c.bench_function(
        "access token decode + validate, verified lately (cache hit)",
        |b| {
            b.iter(|| {
                cached
                    .decode(black_box(&token), Some(TokenKind::Access), now())
                    .unwrap()
            })
        },
    );
}

/// Signing and checking an access token with each key-pair algorithm (a key-set ring).
fn key_pairs(c: &mut Criterion) {
    use jwtd_core::keys::{Algorithm, KeyRing, PrivateKey, PublishedKey};
    let user = Subject {
        id: 1,
        username: "alice",
        email: "alice@example.com",
        revoke_key: "0123456789abcdef0123456789abcdef",
    };
    let mut group = c.benchmark_group("key pairs");
    for algorithm in [
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::EdDSA,
        Algorithm::RS256,
        Algorithm::PS256,
    ] {
        let settings = Settings {
            algorithm,
            ..uncached()
        };
        let key = PrivateKey::generate(algorithm).unwrap();
        let published = PublishedKey {
            algorithm,
            jwk: key.public_jwk().clone(),
            accepts_kidless: false,
        };
        let ring = KeyRing::asymmetric(&key, vec![published], &[]).unwrap();
        let service = TokenService::new(&settings, ring);
        let refresh = service.for_user(TokenKind::Refresh, &user, [], now());
        let access = service.access_from_refresh(&refresh, now());
        let token = service.encode(&access);
        group.bench_function(format!("{algorithm} sign"), |b| {
            b.iter(|| service.encode(black_box(&access)))
        });
        group.bench_function(format!("{algorithm} decode + validate"), |b| {
            b.iter(|| {
                service
                    .decode(black_box(&token), Some(TokenKind::Access), now())
                    .unwrap()
            })
        });
    }
    group.finish();
}

fn hashes(c: &mut Criterion) {
    let mut group = c.benchmark_group("password");
    group.sample_size(10);
    let hasher = Hasher::new(&Settings::default().hashing).unwrap();
    group.bench_function("Argon2id hash (m=19456 KiB, t=2, p=1: the default)", |b| {
        b.iter(|| hasher.hash(black_box("correct horse battery staple")))
    });
    // Django 5.2's default: PBKDF2-SHA256 at 1,000,000 iterations (what bench/run logs in with).
    let django =
        "pbkdf2_sha256$1000000$unNbqmBhZix32wFwLoDlpD$ZK9bbCMjOpHG4kajJXCL76vOIY8eZgygBsKYKRhIRpY=";
    group.bench_function(
        "PBKDF2-SHA256 verify (1,000,000 iterations: Django's default)",
        |b| b.iter(|| hasher.verify(black_box("correct horse battery staple"), Some(django))),
    );
    group.finish();
}

criterion_group!(benches, tokens, key_pairs, hashes);
criterion_main!(benches);
