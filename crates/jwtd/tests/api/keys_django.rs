//! jwtd's JWKS as the Python world reads it: PyJWT's `PyJWKClient` verifies every algorithm's
//! tokens, and a real SimpleJWT site (`ALGORITHM = "ES256"`, `JWK_URL` = jwtd's JWKS) keeps
//! authenticating jwtd's access tokens across a rotation.

use std::time::Duration;

use jwtd_core::keys::Algorithm;
use serde_json::{Value, json};

use crate::django_site::{Backend, DjangoSite};
use crate::helpers::*;
use crate::keys::{access_after_rotation, header, key_set};

/// JSON strings, lists and numbers of ASCII text are Python literals too.
fn python_literal(value: &Value) -> String {
    value.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(django_tests),
    ignore = "needs Django: DJANGO_TEST_PYTHON=$(.ci/django-venv) (bash .ci/run does)"
)]
async fn pyjwt_verifies_every_algorithm_through_the_jwks() {
    let mut cases = Vec::new();
    let mut apps = Vec::new();
    for algorithm in Algorithm::ALL.into_iter().filter(|a| !a.is_hmac()) {
        let app = spawn_with(|s| key_set(s, algorithm)).await;
        app.add_user("alice", "", "pw", &[]).await;
        let (refresh, access) = app.login("alice", "pw").await;
        cases.push(json!([
            app.url("/.well-known/jwks.json"),
            [refresh, access]
        ]));
        apps.push(app);
    }
    let site = DjangoSite::new("auth", Backend::Sqlite).await;
    let code = format!(
        r#"
import jwt
result = []
for url, tokens in {cases}:
    client = jwt.PyJWKClient(url)
    for token in tokens:
        key = client.get_signing_key_from_jwt(token)
        alg = jwt.get_unverified_header(token)["alg"]
        claims = jwt.decode(token, key.key, algorithms=[alg])
        result.append([alg, key.key_id == jwt.get_unverified_header(token)["kid"], claims["token_type"]])
"#,
        cases = python_literal(&Value::Array(cases)),
    );
    let checked = site.orm(&code);
    let expected: Vec<Value> = Algorithm::ALL
        .into_iter()
        .filter(|a| !a.is_hmac())
        .flat_map(|a| {
            [
                json!([a.name(), true, "refresh"]),
                json!([a.name(), true, "access"]),
            ]
        })
        .collect();
    assert_eq!(checked, Value::Array(expected));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(django_tests),
    ignore = "needs Django: DJANGO_TEST_PYTHON=$(.ci/django-venv) (bash .ci/run does)"
)]
async fn a_simplejwt_site_with_jwk_url_authenticates_across_a_rotation() {
    let app = spawn_with(|s| {
        key_set(s, Algorithm::ES256);
        s.keys.publish_delay = Duration::from_secs(2);
        s.keys.jwks_max_age = Duration::from_secs(1);
        s.keys.reload_interval = Duration::from_millis(100);
    })
    .await;
    let alice = app.add_user("alice", "", "pw", &[]).await;
    let (_, before) = app.login("alice", "pw").await;
    let old_kid = header(&before)["kid"].as_str().unwrap().to_owned();
    // The next key is published before the site first fetches the JWKS...
    let set = jwtd::keys::KeySet::open(&app.state.settings, app.state.store.clone()).unwrap();
    let now = || jwtd_core::Clock::system().now().secs();
    set.generate(None, jwtd_store::KeyOrigin::Generated, now())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    // ... and the site, one long-lived process, authenticates a token of each key with the
    // JWKS it fetched once (PyJWKClient caches it for 5 minutes).
    let site = DjangoSite::new("auth", Backend::Sqlite).await;
    let handoff = tempfile::tempdir().unwrap();
    let after_file = handoff.path().join("after");
    let code = format!(
        r#"
import os, time
from django.test import RequestFactory
from rest_framework_simplejwt.authentication import JWTStatelessUserAuthentication
auth = JWTStatelessUserAuthentication()
def who(token):
    request = RequestFactory().get("/", HTTP_AUTHORIZATION="Bearer " + token)
    user, _ = auth.authenticate(request)
    return user.id
result = [who({before})]
while not os.path.exists({after_file}):
    time.sleep(0.05)
result.append(who(open({after_file}).read()))
"#,
        before = python_literal(&json!(before)),
        after_file = python_literal(&json!(after_file.display().to_string())),
    );
    let jwks = app.url("/.well-known/jwks.json");
    let site_run = tokio::task::spawn_blocking(move || {
        site.orm_with(
            &code,
            &[("DJANGO_JWK_URL", &jwks), ("DJANGO_JWT_ALGORITHM", "ES256")],
        )
    });
    tokio::time::sleep(Duration::from_secs(2)).await;
    match set
        .rotate(now(), false, jwtd_store::KeyOrigin::Generated)
        .await
        .unwrap()
    {
        jwtd::keys::Rotation::Rotated { retired, .. } => assert_eq!(retired, Some(old_kid.clone())),
        other => panic!("{other:?}"),
    }
    let after = access_after_rotation(&app, &old_kid).await;
    std::fs::write(&after_file, &after).unwrap();
    let ids = site_run.await.unwrap();
    assert_eq!(ids, json!([alice.id, alice.id]));
}
