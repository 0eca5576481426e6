//! The attack battery: jwt_tool's catalogue of token attacks against every endpoint that reads
//! a token, each answered with SimpleJWT's exact 401 body.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Map, Value, json};

use crate::helpers::*;

fn b64(value: &Value) -> String {
    B64.encode(serde_json::to_vec(value).unwrap())
}

fn parts(token: &str) -> Vec<&str> {
    token.split('.').collect()
}

/// The genuine token with its payload replaced and its signature kept (tampering).
fn tampered(token: &str, change: impl FnOnce(&mut Map<String, Value>)) -> String {
    let mut claims = token_part(token, 1);
    change(&mut claims);
    let p = parts(token);
    format!("{}.{}.{}", p[0], b64(&Value::Object(claims)), p[2])
}

/// The genuine token's claims under another header, unsigned or signed with `sign`.
fn with_header(token: &str, header: Value, signature: &str) -> String {
    format!("{}.{}.{signature}", b64(&header), parts(token)[1])
}

/// The genuine claims signed with an attacker's HMAC key under a crafted header.
fn signed_by_attacker(token: &str, header: Header, key: &[u8]) -> String {
    let claims = token_part(token, 1);
    jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(key)).unwrap()
}

/// Every attack, as (name, forged token), built from a genuine token.
fn attacks(genuine: &str) -> Vec<(&'static str, String)> {
    let p = parts(genuine);
    let hs = |alg: &str| json!({"typ": "JWT", "alg": alg});
    let header_with = |field: &str, value: Value| {
        let mut h = Header::new(Algorithm::HS256);
        match field {
            "kid" => h.kid = value.as_str().map(str::to_owned),
            "jku" => h.jku = value.as_str().map(str::to_owned),
            "x5u" => h.x5u = value.as_str().map(str::to_owned),
            "jwk" => h.jwk = Some(serde_json::from_value(value).unwrap()),
            _ => unreachable!(),
        }
        h
    };
    let attacker_jwk = json!({"kty": "oct", "k": B64.encode(b"attacker key"), "alg": "HS256"});
    vec![
        ("alg none", with_header(genuine, hs("none"), "")),
        ("alg None", with_header(genuine, hs("None"), "")),
        ("alg NONE", with_header(genuine, hs("NONE"), "")),
        ("alg nOnE", with_header(genuine, hs("nOnE"), "")),
        (
            "alg none with signature kept",
            with_header(genuine, hs("none"), p[2]),
        ),
        ("null signature", format!("{}.{}.", p[0], p[1])),
        ("signature stripped", format!("{}.{}", p[0], p[1])),
        ("extra segment", format!("{genuine}.e30")),
        ("one segment", p[1].to_owned()),
        ("garbage", "not.a.token".into()),
        (
            "blank-secret HMAC",
            signed_by_attacker(genuine, Header::new(Algorithm::HS256), b""),
        ),
        (
            "wrong secret",
            signed_by_attacker(genuine, Header::new(Algorithm::HS256), b"secret"),
        ),
        (
            "HS512 with another key",
            signed_by_attacker(genuine, Header::new(Algorithm::HS512), b"secret"),
        ),
        (
            "key confusion RS256 → HMAC with the public key",
            with_header(
                genuine,
                hs("RS256"),
                &B64.encode(b"hmac over the token with a PEM public key as secret"),
            ),
        ),
        (
            "psychic signature ES256",
            with_header(genuine, hs("ES256"), &B64.encode([0u8; 64])),
        ),
        (
            "exp tampered",
            tampered(genuine, |c| {
                drop(c.insert("exp".into(), json!(4_102_444_800_i64)))
            }),
        ),
        (
            "nbf tampered",
            tampered(genuine, |c| drop(c.insert("nbf".into(), json!(0)))),
        ),
        (
            "user_id tampered",
            tampered(genuine, |c| drop(c.insert("user_id".into(), json!(2)))),
        ),
        (
            "token_type tampered",
            tampered(genuine, |c| {
                drop(c.insert("token_type".into(), json!("sliding")))
            }),
        ),
        (
            "roles added",
            tampered(genuine, |c| {
                drop(c.insert("roles".into(), json!(["admin"])))
            }),
        ),
        (
            "embedded jwk",
            signed_by_attacker(genuine, header_with("jwk", attacker_jwk), b"attacker key"),
        ),
        (
            "jku to attacker keys",
            signed_by_attacker(
                genuine,
                header_with("jku", json!("https://evil.example/jwks.json")),
                b"attacker key",
            ),
        ),
        (
            "x5u to attacker certificate",
            signed_by_attacker(
                genuine,
                header_with("x5u", json!("https://evil.example/cert.pem")),
                b"attacker key",
            ),
        ),
        (
            "kid path traversal to an empty file",
            signed_by_attacker(
                genuine,
                header_with("kid", json!("../../../../../../dev/null")),
                b"",
            ),
        ),
        (
            "kid SQL injection",
            signed_by_attacker(
                genuine,
                header_with("kid", json!("x' UNION SELECT 'key'--")),
                b"key",
            ),
        ),
        (
            "oversized",
            tampered(genuine, |c| {
                drop(c.insert("pad".into(), json!("x".repeat(100_000))))
            }),
        ),
    ]
}

/// A deployment for the battery: HS256, or a key set signing with `algorithm`.
async fn deployment(algorithm: jwtd_core::keys::Algorithm) -> TestApp {
    spawn_with(|s| {
        if !algorithm.is_hmac() {
            crate::keys::key_set(s, algorithm);
        }
        s.routes
            .set("token_refresh_sliding", "/token/sliding/refresh/");
        s.auth_token_classes = vec![
            jwtd_core::settings::TokenClass::Access,
            jwtd_core::settings::TokenClass::Sliding,
        ];
    })
    .await
}

/// Attacks on a deployment that publishes its keys: the public key as an HMAC secret, a
/// foreign key under a known kid, a foreign key embedded in the header or behind a `jku`.
fn key_pair_attacks(
    genuine: &str,
    jwks: &jsonwebtoken::jwk::JwkSet,
) -> Vec<(&'static str, String)> {
    use jwtd_core::keys::PrivateKey;
    let claims = token_part(genuine, 1);
    let published = &jwks.keys[0];
    let kid = published.common.key_id.clone().unwrap();
    let algorithm = jsonwebtoken::decode_header(genuine).unwrap().alg;
    let ours: jwtd_core::keys::Algorithm = format!("{algorithm:?}").parse().unwrap();
    let foreign = PrivateKey::generate(ours).unwrap();
    let foreign_pem = crate::keys::pem("PRIVATE KEY", foreign.pkcs8());
    let foreign_key = match ours.family() {
        jwtd_core::keys::Family::Ec => EncodingKey::from_ec_pem(foreign_pem.as_bytes()),
        jwtd_core::keys::Family::Ed => EncodingKey::from_ed_pem(foreign_pem.as_bytes()),
        _ => EncodingKey::from_rsa_pem(foreign_pem.as_bytes()),
    }
    .unwrap();
    let sign =
        |header: Header, key: &EncodingKey| jsonwebtoken::encode(&header, &claims, key).unwrap();
    let with_kid = |alg, kid: &str| {
        let mut h = Header::new(alg);
        h.kid = Some(kid.to_owned());
        h
    };
    let public_json = serde_json::to_vec(published).unwrap();
    let mut embedded = with_kid(algorithm, foreign.kid());
    embedded.jwk = Some(foreign.public_jwk().clone());
    let mut jku = with_kid(algorithm, foreign.kid());
    jku.jku = Some("https://evil.example/jwks.json".into());
    vec![
        (
            "public JWK as the HMAC secret, kid kept",
            sign(
                with_kid(Algorithm::HS256, &kid),
                &EncodingKey::from_secret(&public_json),
            ),
        ),
        (
            "the kid as the HMAC secret",
            sign(
                with_kid(Algorithm::HS256, &kid),
                &EncodingKey::from_secret(kid.as_bytes()),
            ),
        ),
        (
            "foreign key under the published kid",
            sign(with_kid(algorithm, &kid), &foreign_key),
        ),
        ("foreign key embedded as jwk", sign(embedded, &foreign_key)),
        ("foreign key behind a jku", sign(jku, &foreign_key)),
        (
            "foreign key without a kid",
            sign(Header::new(algorithm), &foreign_key),
        ),
    ]
}

#[tokio::test]
async fn every_token_attack_is_refused_at_every_endpoint() {
    use jwtd_core::keys::Algorithm as Alg;
    for algorithm in [Alg::HS256, Alg::ES256, Alg::RS256, Alg::EdDSA] {
        let app = deployment(algorithm).await;
        app.add_user("alice", "", "pw", &[]).await;
        app.add_user("bob", "", "pw", &[]).await;
        let (refresh, access) = app.login("alice", "pw").await;
        let jwks = crate::keys::jwks(&app).await;
        let mut tried = 0;
        for genuine in [&refresh, &access] {
            let mut battery = attacks(genuine);
            if !algorithm.is_hmac() {
                battery.extend(key_pair_attacks(genuine, &jwks));
            }
            for (name, forged) in battery {
                tried += refused_everywhere(&app, name, &forged, algorithm).await;
            }
        }
        let per_token = if algorithm.is_hmac() { 26 } else { 26 + 6 };
        assert_eq!(tried, 2 * per_token * 6, "{algorithm}");
        // None of it touched alice's session.
        let answer = app.refresh(&refresh).await;
        assert_eq!(answer.status, 200);
    }
}

/// Sends `forged` to every endpoint that reads a token; each must answer SimpleJWT's 401.
async fn refused_everywhere(
    app: &TestApp,
    name: &str,
    forged: &str,
    algorithm: jwtd_core::keys::Algorithm,
) -> usize {
    let invalid = token_not_valid("Token is invalid");
    let mut tried = 0;
    for (path, field) in [
        ("/token/refresh/", "refresh"),
        ("/token/verify/", "token"),
        ("/token/blacklist/", "refresh"),
        ("/token/sliding/refresh/", "token"),
    ] {
        let answer = app.post_json(path, json!({ field: forged })).await;
        assert_eq!(
            (answer.status, answer.json()),
            (401, invalid.clone()),
            "{algorithm}: {name} at {path}"
        );
        tried += 1;
    }
    for path in ["/users/me/", "/users/me/logout-all/"] {
        let request = if path == "/users/me/" {
            app.http.get(app.url(path))
        } else {
            app.http.post(app.url(path))
        };
        let answer = app
            .send(request.header("authorization", format!("Bearer {forged}")))
            .await;
        let expected = not_valid_for_any(&[
            ("AccessToken", "access", "Token is invalid"),
            ("SlidingToken", "sliding", "Token is invalid"),
        ]);
        assert_eq!(
            (answer.status, answer.json()),
            (401, expected),
            "{algorithm}: {name} at {path}"
        );
        tried += 1;
    }
    tried
}

#[tokio::test]
async fn a_blacklisted_jti_cannot_be_replayed() {
    let app = spawn_app().await;
    app.add_user("alice", "", "pw", &[]).await;
    let (refresh, _) = app.login("alice", "pw").await;
    app.blacklist(&refresh).await.expect(200, json!({}));
    let blacklisted = token_not_valid("Token is blacklisted");
    app.refresh(&refresh).await.expect(401, blacklisted.clone());
    app.blacklist(&refresh)
        .await
        .expect(401, blacklisted.clone());
    app.verify(&refresh)
        .await
        .expect(400, json!({"non_field_errors": ["Token is blacklisted"]}));
    // The same jti under a fresh signature and later expiry is the same token.
    let renewed = app.altered(&refresh, |c| {
        c.insert("exp".into(), json!(now() + 999_999));
    });
    app.refresh(&renewed).await.expect(401, blacklisted);
}
