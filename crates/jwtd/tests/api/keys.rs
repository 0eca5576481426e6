//! Key sets: every algorithm end to end, the JWKS checked with an independent verifier, keys
//! sealed at rest, static PEM keys (SimpleJWT's `SIGNING_KEY`), and HS secrets changed without
//! a logout.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use jwtd_core::keys::{Algorithm, KeyEncryptionKey, PrivateKey};
use jwtd_core::settings::Secret;
use jwtd_store::KeyState;
use serde_json::{Map, Value, json};

use crate::helpers::*;

pub const KEK: &str = "a key-encryption key for the tests, 32+ bytes";

/// Settings for a key-set deployment signing with `algorithm`.
pub fn key_set(s: &mut jwtd_core::Settings, algorithm: Algorithm) {
    s.algorithm = algorithm;
    s.signing_key = None;
    s.keys.encryption_key = Some(Secret(KEK.into()));
}

pub fn header(token: &str) -> Value {
    Value::Object(token_part(token, 0))
}

/// An access token of alice's signed by another key than `old_kid`, once the instance's ring
/// has caught up with a rotation.
pub async fn access_after_rotation(app: &TestApp, old_kid: &str) -> String {
    loop {
        let (_, access) = app.login("alice", "pw").await;
        if header(&access)["kid"] != old_kid {
            return access;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

pub async fn jwks(app: &TestApp) -> JwkSet {
    let answer = app
        .send(app.http.get(app.url("/.well-known/jwks.json")))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    serde_json::from_str(&answer.text).unwrap()
}

/// The token's claims if a key of the JWKS (found by the token's `kid`) verifies it, with
/// `jsonwebtoken` alone — as a service behind jwtd would.
pub fn verified_by_jwks(set: &JwkSet, token: &str) -> Option<Map<String, Value>> {
    let header = jsonwebtoken::decode_header(token).ok()?;
    let jwk = set.find(header.kid.as_deref()?)?;
    let mut validation = Validation::new(header.alg);
    validation.validate_aud = false;
    let key = DecodingKey::from_jwk(jwk).ok()?;
    jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
        .ok()
        .map(|d| d.claims)
}

#[tokio::test]
async fn every_algorithm_logs_in_refreshes_verifies_and_authenticates() {
    for algorithm in Algorithm::ALL.into_iter().filter(|a| !a.is_hmac()) {
        let app = spawn_with(|s| {
            key_set(s, algorithm);
            s.rotate_refresh_tokens = true;
        })
        .await;
        app.add_user("alice", "", "pw", &["admin"]).await;
        let (refresh, access) = app.login("alice", "pw").await;
        let set = jwks(&app).await;
        assert_eq!(set.keys.len(), 1, "{algorithm}: one key at first start");
        let kid = set.keys[0].common.key_id.clone().unwrap();
        for token in [&refresh, &access] {
            assert_eq!(
                header(token),
                json!({"typ": "JWT", "alg": algorithm.name(), "kid": kid}),
                "{algorithm}"
            );
        }
        let claims = verified_by_jwks(&set, &access).expect("the JWKS verifies the token");
        assert_eq!(claims["token_type"], "access");
        let refreshed = app.refresh(&refresh).await;
        assert_eq!(refreshed.status, 200, "{algorithm}: {}", refreshed.text);
        let new_access = refreshed.json()["access"].as_str().unwrap().to_owned();
        assert!(verified_by_jwks(&set, &new_access).is_some(), "{algorithm}");
        app.verify(&new_access).await.expect(200, json!({}));
        let me = app
            .get_with_auth("/users/me/", &format!("Bearer {new_access}"))
            .await;
        assert_eq!(
            (me.status, &me.json()["username"]),
            (200, &json!("alice")),
            "{algorithm}"
        );
    }
}

#[tokio::test]
async fn the_jwks_publishes_public_members_only_and_is_cacheable() {
    let app = spawn_with(|s| key_set(s, Algorithm::RS256)).await;
    let answer = app
        .send(app.http.get(app.url("/.well-known/jwks.json")))
        .await;
    assert_eq!(answer.header("cache-control"), Some("public, max-age=300"));
    assert_eq!(answer.header("content-type"), Some("application/json"));
    let body = answer.json();
    let key = body["keys"][0].as_object().unwrap();
    let mut members: Vec<&str> = key.keys().map(String::as_str).collect();
    members.sort_unstable();
    assert_eq!(members, ["alg", "e", "kid", "kty", "n", "use"]);
    assert_eq!((&key["use"], &key["alg"]), (&json!("sig"), &json!("RS256")));
    let metrics = app.send(app.http.get(app.url("/metrics"))).await.text;
    let info = format!(
        "jwtd_signing_key_info{{alg=\"RS256\",kid={},state=\"current\"}} 1",
        key["kid"]
    );
    assert!(metrics.contains(&info), "{info} not in {metrics}");
    // HS deployments publish nothing.
    let hs = spawn_app().await;
    let answer = hs.send(hs.http.get(hs.url("/.well-known/jwks.json"))).await;
    answer.expect(200, json!({"keys": []}));
}

#[tokio::test]
async fn a_dump_of_the_key_table_holds_no_usable_private_key() {
    let app = spawn_with(|s| key_set(s, Algorithm::ES256)).await;
    let rows = app.state.store.signing_keys().await.unwrap();
    let [row] = rows.as_slice() else {
        panic!("{rows:?}")
    };
    assert_eq!(row.state, KeyState::Current);
    let dump = format!("{row:?}");
    // Without the key-encryption key nothing opens.
    let guess = KeyEncryptionKey::derive(b"not the key-encryption key, 32+ bytes");
    assert!(guess.open(&row.kid, &row.sealed_private_key).is_err());
    // With it, the sealed key is the signing key; its bytes appear nowhere in the dump.
    let der = KeyEncryptionKey::derive(KEK.as_bytes())
        .open(&row.kid, &row.sealed_private_key)
        .unwrap();
    let key = PrivateKey::from_pkcs8(Algorithm::ES256, &der).unwrap();
    assert_eq!(key.kid(), row.kid);
    // Neither the database's rows nor (SQLite) its files hold any 16 bytes of the key.
    let sealed = base64::Engine::decode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        row.sealed_private_key.trim_start_matches("v1."),
    )
    .unwrap();
    let mut places = vec![sealed, dump.into_bytes()];
    if app.state.settings.database_url.is_none() {
        for file in ["jwtd.db", "jwtd.db-wal"] {
            places.extend(std::fs::read(app.state.settings.data_dir.join(file)));
        }
    }
    for window in der.windows(16) {
        for place in &places {
            assert!(!place.windows(16).any(|w| w == window), "key bytes at rest");
        }
    }
    assert!(!row.public_jwk.contains("\"d\""), "{}", row.public_jwk);
}

/// A P-256 key pair as `openssl ecparam -genkey` writes it (SEC1) and its public PEM (SPKI).
pub fn openssl_style_p256() -> (String, String) {
    use aws_lc_rs::encoding::{AsDer, EcPrivateKeyRfc5915Der, PublicKeyX509Der};
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
    let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
    let private = AsDer::<EcPrivateKeyRfc5915Der>::as_der(&pair.private_key()).unwrap();
    let public = AsDer::<PublicKeyX509Der>::as_der(pair.public_key()).unwrap();
    (
        pem("EC PRIVATE KEY", private.as_ref()),
        pem("PUBLIC KEY", public.as_ref()),
    )
}

pub fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

#[tokio::test]
async fn a_static_pem_key_signs_like_simplejwts_signing_key() {
    let (private, public) = openssl_style_p256();
    let app = spawn_with(|s| {
        s.algorithm = Algorithm::ES256;
        s.signing_key = Some(Secret(private.clone()));
        s.verifying_key = Some(public.clone());
    })
    .await;
    app.add_user("alice", "", "pw", &[]).await;
    let (refresh, access) = app.login("alice", "pw").await;
    let key = PrivateKey::from_pem(&private, None).unwrap();
    assert_eq!(header(&access)["kid"], key.kid());
    assert!(verified_by_jwks(&jwks(&app).await, &access).is_some());
    assert_eq!(app.refresh(&refresh).await.status, 200);
    // A token the SimpleJWT site made with the same SIGNING_KEY (no kid) still verifies.
    let claims = token_part(&access, 1);
    let encoding = jsonwebtoken::EncodingKey::from_ec_pem(&pkcs8_pem(&key)).unwrap();
    let kidless = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256),
        &claims,
        &encoding,
    )
    .unwrap();
    app.verify(&kidless).await.expect(200, json!({}));
    // A verifying key that is not the signing key's public half stops the start.
    let (_, other_public) = openssl_style_p256();
    let dir = tempfile::tempdir().unwrap();
    let mut settings = test_settings(dir.path());
    settings.algorithm = Algorithm::ES256;
    settings.signing_key = Some(Secret(private));
    settings.verifying_key = Some(other_public);
    let error = jwtd::server::Server::build(settings).await.err().unwrap();
    assert_eq!(
        format!("{error:#}"),
        "setting `verifying_key`: it is not the public half of `signing_key`"
    );
}

fn pkcs8_pem(key: &PrivateKey) -> Vec<u8> {
    pem("PRIVATE KEY", key.pkcs8()).into_bytes()
}

#[tokio::test]
async fn an_hs_secret_changes_without_a_logout() {
    let app = spawn_app().await;
    app.add_user("alice", "", "pw", &[]).await;
    let (refresh, access) = app.login("alice", "pw").await;
    let new_secret = "a brand-new HS256 secret, 32 bytes or more";
    let app = app
        .restart_with(|s| {
            s.signing_key = Some(Secret(new_secret.into()));
            s.previous_signing_keys = vec![Secret(KEY.into())];
        })
        .await;
    app.verify(&access).await.expect(200, json!({}));
    let answer = app.refresh(&refresh).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let fresh = answer.json()["access"].as_str().unwrap().to_owned();
    let new_key = DecodingKey::from_secret(new_secret.as_bytes());
    let mut validation = Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.validate_aud = false;
    assert!(jsonwebtoken::decode::<Value>(&fresh, &new_key, &validation).is_ok());
    // Once the old secret is dropped, its tokens are invalid.
    let app = app.restart_with(|s| s.previous_signing_keys.clear()).await;
    app.verify(&access)
        .await
        .expect(401, token_not_valid("Token is invalid"));
}

#[tokio::test]
async fn a_key_imported_before_the_first_start_signs_and_keeps_old_tokens_valid() {
    // A SimpleJWT site's RS256 SIGNING_KEY, as `openssl genpkey` writes it (PKCS#8).
    let site_key = PrivateKey::generate(Algorithm::RS256).unwrap();
    let dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    let pem_file = dir.path().join("site-key.pem");
    std::fs::write(&pem_file, pem("PRIVATE KEY", site_key.pkcs8())).unwrap();
    let data_dir = dir.path().to_path_buf();
    let database = tokio::task::spawn_blocking(move || test_database_for(&data_dir))
        .await
        .unwrap();
    let mut args = vec!["--data-dir".to_owned(), dir.path().display().to_string()];
    args.extend(["keys", "import", "--pem"].map(str::to_owned));
    args.push(pem_file.display().to_string());
    let mut envs = vec![
        ("JWTD_ALGORITHM".to_owned(), "RS256".to_owned()),
        ("JWTD_KEYS__ENCRYPTION_KEY".to_owned(), KEK.to_owned()),
    ];
    if let Some(url) = &database {
        envs.push(("JWTD_DATABASE_URL".to_owned(), url.clone()));
    }
    let output = tokio::task::spawn_blocking(move || {
        let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
        let envs: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        run_jwtd(&args, &envs, "")
    })
    .await
    .unwrap();
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        printed.contains(&format!("imported key {}", site_key.kid())),
        "{printed} {}",
        String::from_utf8_lossy(&output.stderr)
    );

    let mut settings = test_settings(dir.path());
    key_set(&mut settings, Algorithm::RS256);
    settings.database_url = database;
    let app = spawn_in(dir, settings, jwtd_core::Clock::system()).await;
    app.add_user("alice", "", "pw", &[]).await;
    let (_, access) = app.login("alice", "pw").await;
    assert_eq!(
        header(&access)["kid"],
        site_key.kid(),
        "the imported key signs"
    );
    // The site's own tokens carried no kid: they still verify.
    let site_pem = pem("PRIVATE KEY", site_key.pkcs8());
    let kidless = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
        &token_part(&access, 1),
        &jsonwebtoken::EncodingKey::from_rsa_pem(site_pem.as_bytes()).unwrap(),
    )
    .unwrap();
    app.verify(&kidless).await.expect(200, json!({}));
}
