//! `jwtd-verify` in a downstream axum service, against a real jwtd: it accepts what jwtd's
//! protected routes accept and refuses the rest with the very same 401 (status, body,
//! `WWW-Authenticate`), with an HS256 secret and with ES256 through the JWKS across a rotation.

use std::sync::Arc;
use std::time::Duration;

use axum::routing::get;
use axum::{Extension, Json, Router};
use jwtd_core::keys::{Algorithm, PrivateKey};
use jwtd_verify::axum::{JwtdUser, RequireJwtdUser};
use jwtd_verify::{Claims, Verifier};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::keys::{access_after_rotation, header, key_set, pem};

/// A service behind jwtd: `/me` with the extractor, `/layered` behind the tower layer.
async fn downstream(verifier: Arc<Verifier>) -> String {
    let app =
        Router::new()
            .route(
                "/me",
                get(|JwtdUser(claims): JwtdUser| async move {
                    Json(json!({"user_id": claims.id(), "roles": claims.roles().collect::<Vec<_>>()}))
                }),
            )
            .route(
                "/layered",
                get(|Extension(claims): Extension<Claims>| async move {
                    claims.token_type.claim_value()
                })
                .layer(RequireJwtdUser::new(Arc::clone(&verifier))),
            )
            .with_state(verifier);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

/// (status, body, WWW-Authenticate) of a GET with `authorization`.
async fn answer(
    http: &reqwest::Client,
    url: &str,
    authorization: Option<&str>,
) -> (u16, Value, Option<String>) {
    let mut request = http.get(url).header("accept-language", "ru");
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
        challenge,
    )
}

/// The downstream service refuses `authorization` exactly as jwtd's `/users/me/` does (asked
/// in Russian: with both offering it, the catalog is shared too).
async fn refused_alike(app: &TestApp, service: &str, authorization: Option<&str>, what: &str) {
    let jwtd = answer(&app.http, &app.url("/users/me/"), authorization).await;
    assert_eq!(jwtd.0, 401, "{what}: jwtd {jwtd:?}");
    for path in ["/me", "/layered"] {
        let theirs = answer(&app.http, &format!("{service}{path}"), authorization).await;
        assert_eq!(theirs, jwtd, "{what} at {path}");
    }
}

#[tokio::test]
async fn an_hs256_service_accepts_jwtds_tokens_and_refuses_like_jwtd() {
    let both = vec![jwtd_core::Lang::En, jwtd_core::Lang::Ru];
    let app = spawn_with(|s| {
        s.extra_claims = vec![jwtd_core::settings::ExtraClaim::Roles];
        s.languages = both.clone();
    })
    .await;
    let alice = app.add_user("alice", "", "pw", &["admin"]).await;
    let verifier = Verifier::builder()
        .hs_secret(KEY)
        .languages(both)
        .build()
        .await
        .unwrap();
    let service = downstream(Arc::new(verifier)).await;
    let (refresh, access) = app.login("alice", "pw").await;
    let bearer = |t: &str| format!("Bearer {t}");
    let ok = answer(&app.http, &format!("{service}/me"), Some(&bearer(&access))).await;
    assert_eq!(
        (ok.0, ok.1),
        (200, json!({"user_id": alice.id, "roles": ["admin"]}))
    );
    let layered = answer(
        &app.http,
        &format!("{service}/layered"),
        Some(&bearer(&access)),
    )
    .await;
    assert_eq!((layered.0, layered.1), (200, json!("access")));

    let expired = app.altered(&access, |c| drop(c.insert("exp".into(), json!(now() - 5))));
    let forged = format!("{}x", &access[..access.len() - 1]);
    let no_user = app.altered(&access, |c| drop(c.remove("user_id")));
    for (what, authorization) in [
        ("expired", Some(bearer(&expired))),
        ("forged", Some(bearer(&forged))),
        ("wrong type", Some(bearer(&refresh))),
        ("no user id", Some(bearer(&no_user))),
        ("garbage", Some(bearer("not.a.token"))),
        ("no header", None),
        ("another keyword", Some(format!("Token {access}"))),
        ("bad header", Some(format!("Bearer {access} extra"))),
    ] {
        refused_alike(&app, &service, authorization.as_deref(), what).await;
    }
}

#[tokio::test]
async fn an_es256_service_follows_the_jwks_across_a_rotation() {
    let app = spawn_with(|s| {
        key_set(s, Algorithm::ES256);
        // A long JWKS cache: what reaches the service early is the unknown-kid refetch.
        s.keys.publish_delay = Duration::from_secs(60);
        s.keys.jwks_max_age = Duration::from_secs(60);
        s.keys.reload_interval = Duration::from_millis(100);
    })
    .await;
    app.add_user("alice", "", "pw", &[]).await;
    let cooldown = Duration::from_secs(2);
    let verifier = Verifier::builder()
        .jwks_url(app.url("/.well-known/jwks.json"))
        .jwks_cooldown(cooldown)
        .algorithm(Algorithm::ES256)
        .build()
        .await
        .unwrap();
    let verifier = Arc::new(verifier);
    assert_eq!(verifier.jwks_fetches(), 1);
    let service = downstream(Arc::clone(&verifier)).await;
    let me = |token: String| {
        let (http, url) = (app.http.clone(), format!("{service}/me"));
        async move {
            answer(&http, &url, Some(&format!("Bearer {token}")))
                .await
                .0
        }
    };
    let (_, before) = app.login("alice", "pw").await;
    assert_eq!(me(before.clone()).await, 200);

    // A rotation made at once, after the cooldown: the service meets the new kid while its
    // cached JWKS is fresh, fetches once, and accepts it; the retired key still verifies.
    tokio::time::sleep(cooldown).await;
    let set = jwtd::keys::KeySet::open(&app.state.settings, app.state.store.clone()).unwrap();
    let now = || jwtd_core::Clock::system().now().secs();
    let origin = jwtd_store::KeyOrigin::Generated;
    set.rotate(now(), true, origin).await.unwrap();
    set.rotate(now(), true, origin).await.unwrap();
    let old_kid = header(&before)["kid"].as_str().unwrap().to_owned();
    let after = access_after_rotation(&app, &old_kid).await;
    assert_eq!(
        me(after.clone()).await,
        200,
        "the new key, fetched for its unknown kid"
    );
    assert_eq!(verifier.jwks_fetches(), 2);
    assert_eq!(
        me(before.clone()).await,
        200,
        "the retired key still verifies"
    );

    // A key jwtd never had, under a kid nobody published, refused like jwtd refuses it; and
    // the same when it has expired too.
    let stranger = PrivateKey::generate(Algorithm::ES256).unwrap();
    let stranger_key =
        jsonwebtoken::EncodingKey::from_ec_pem(pem("PRIVATE KEY", stranger.pkcs8()).as_bytes())
            .unwrap();
    let signed = |kid: &str, change: &dyn Fn(&mut serde_json::Map<String, Value>)| {
        let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        h.kid = Some(kid.to_owned());
        let mut claims = token_part(&before, 1);
        change(&mut claims);
        jsonwebtoken::encode(&h, &claims, &stranger_key).unwrap()
    };
    let unknown_kid = signed(stranger.kid(), &|_| {});
    refused_alike(
        &app,
        &service,
        Some(&format!("Bearer {unknown_kid}")),
        "unknown kid",
    )
    .await;
    let expired = signed(stranger.kid(), &|c| {
        drop(c.insert("exp".into(), json!(now() - 5)))
    });
    refused_alike(
        &app,
        &service,
        Some(&format!("Bearer {expired}")),
        "foreign, expired",
    )
    .await;

    // A burst of 1,000 requests, each with a kid nobody published, once the cooldown has
    // passed: exactly one fetch.
    tokio::time::sleep(cooldown).await;
    let fetched = verifier.jwks_fetches();
    let requests: Vec<_> = (0..1000)
        .map(|i| me(signed(&format!("garbage-{i}"), &|_| {})))
        .collect();
    let statuses = futures_util::future::join_all(requests).await;
    assert!(statuses.iter().all(|&s| s == 401));
    assert_eq!(
        verifier.jwks_fetches() - fetched,
        1,
        "one fetch for the whole burst"
    );
    assert_eq!(
        me(after.clone()).await,
        200,
        "the set fetched last is still good"
    );

    // jwtd goes away: a refetch fails, and the last good set keeps serving.
    let http = app.http.clone();
    drop(app);
    tokio::time::sleep(cooldown).await;
    let url = format!("{service}/me");
    let garbage = signed("garbage-after", &|_| {});
    let refused = answer(&http, &url, Some(&format!("Bearer {garbage}"))).await;
    assert_eq!(refused.0, 401);
    assert_eq!(
        verifier.jwks_fetches() - fetched,
        2,
        "the failed refetch was tried"
    );
    let kept = answer(&http, &url, Some(&format!("Bearer {after}"))).await;
    assert_eq!(kept.0, 200, "the last good set still verifies");
}

#[tokio::test]
async fn a_pem_public_key_verifies_a_static_key_deployment() {
    let (private, public) = crate::keys::openssl_style_p256();
    let app = spawn_with(|s| {
        s.algorithm = Algorithm::ES256;
        s.signing_key = Some(jwtd_core::settings::Secret(private));
        s.auth_header_types = vec!["JWT".into()];
    })
    .await;
    app.add_user("alice", "", "pw", &[]).await;
    let verifier = Verifier::builder()
        .public_key_pem(public)
        .algorithm(Algorithm::ES256)
        .auth_header_types(vec!["JWT".into()])
        .build()
        .await
        .unwrap();
    let service = downstream(Arc::new(verifier)).await;
    let (refresh, access) = app.login("alice", "pw").await;
    let ok = answer(
        &app.http,
        &format!("{service}/me"),
        Some(&format!("JWT {access}")),
    )
    .await;
    assert_eq!(ok.0, 200, "{ok:?}");
    refused_alike(
        &app,
        &service,
        Some(&format!("JWT {refresh}")),
        "wrong type",
    )
    .await;
    refused_alike(
        &app,
        &service,
        Some(&format!("Bearer {access}")),
        "other keyword",
    )
    .await;
}
