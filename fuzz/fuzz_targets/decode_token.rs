//! Fuzzes the token decoder: any input must be refused with a `TokenError` or decoded into a
//! payload that passed every check — never a panic, whatever the configuration. Inputs that
//! decode are re-encoded and must decode again to the same claims.
//!
//!   cargo fuzz run decode_token fuzz/corpus/decode_token -- -max_total_time=60

#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use jwtd_core::keys::{KeyRing, PrivateKey, PublishedKey};
use jwtd_core::settings::{Algorithm, Audience, Settings};
use jwtd_core::token::{Role, TokenKind, TokenService};
use libfuzzer_sys::fuzz_target;

/// The seed corpus's valid tokens are signed with this key at `NOW`.
const KEY: &[u8] = b"fuzzing key, 32 bytes or longer!";
const NOW: i64 = 1_800_000_000;

fn services() -> &'static [TokenService] {
    static SERVICES: OnceLock<Vec<TokenService>> = OnceLock::new();
    SERVICES.get_or_init(|| {
        let plain = Settings::default();
        let strict = Settings {
            algorithm: Algorithm::HS512,
            audience: Some(Audience::Many(vec!["a".into(), "b".into()])),
            issuer: Some("jwtd".into()),
            leeway: Duration::from_secs(30),
            check_revoke_token: true,
            ..Settings::default()
        };
        // A key set too: the kid lookup and the alg-must-match rule are fuzzed with it.
        let es = Settings {
            algorithm: Algorithm::ES256,
            ..Settings::default()
        };
        let key = PrivateKey::generate(Algorithm::ES256).expect("a P-256 key");
        let published = PublishedKey {
            algorithm: Algorithm::ES256,
            jwk: key.public_jwk().clone(),
            accepts_kidless: false,
        };
        let ring = KeyRing::asymmetric(&key, vec![published], &[KEY.to_vec()]).expect("a ring");
        vec![
            TokenService::with_secret(&plain, KEY),
            TokenService::with_secret(&strict, KEY),
            TokenService::new(&es, ring),
        ]
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    for service in services() {
        for kind in [
            None,
            Some(TokenKind::Access),
            Some(TokenKind::Refresh),
            Some(TokenKind::Sliding),
        ] {
            let Ok(payload) = service.decode(raw, kind, NOW) else {
                continue;
            };
            // What decoded is well formed: it has an `exp` in the future and a jti.
            assert!(TokenService::exp(&payload) > NOW - 30);
            assert!(payload.all().contains_key("jti"));
            // The one pass that keeps the checked claims agrees with the full map on each.
            for role in Role::ALL {
                assert_eq!(
                    service.claim(&payload, role),
                    service.claim(payload.all(), role)
                );
            }
            let _ = service.user_ref(&payload);
            let _ = service.slide(payload.all(), NOW);
            let _ = service.revoke_value_current(&payload, "x");
            // Encoding writes the configured `aud`/`iss`; every other claim survives as it was.
            let again = service
                .decode(&service.encode(payload.all()), kind, NOW)
                .expect("a re-encoded valid token decodes");
            let same = |p: &jwtd_core::token::Payload| {
                p.iter()
                    .filter(|(k, _)| *k != "aud" && *k != "iss")
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(same(again.all()), same(payload.all()));
        }
    }
});
