//! Issued tokens, decoded with the signing key: header, claims and their order, lifetimes,
//! jti, and the extra claims.

use std::collections::HashSet;

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use jwtd_core::settings::ExtraClaim;
use serde_json::{Map, Value, json};

use crate::helpers::*;

fn decode(token: &str) -> Map<String, Value> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    let data = jsonwebtoken::decode::<Map<String, Value>>(
        token,
        &DecodingKey::from_secret(KEY.as_bytes()),
        &validation,
    )
    .expect("signed with the configured key");
    data.claims
}

#[tokio::test]
async fn tokens_carry_simplejwts_header_and_claims_in_order() {
    let app = spawn_with(|s| {
        s.access_token_lifetime = std::time::Duration::from_secs(60);
        s.extra_claims = vec![ExtraClaim::Roles, ExtraClaim::IpAddress];
    })
    .await;
    let alice = app.add_user("alice", "", "pw", &["admin"]).await;
    let mut jtis = HashSet::new();
    for _ in 0..3 {
        let (refresh, access) = app.login("alice", "pw").await;
        for token in [&refresh, &access] {
            assert_eq!(
                token.split('.').next().unwrap(),
                "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9"
            );
            assert_eq!(
                token_part(token, 0),
                serde_json::from_str::<Map<String, Value>>(r#"{"typ":"JWT","alg":"HS256"}"#)
                    .unwrap()
            );
        }
        let (r, a) = (decode(&refresh), decode(&access));
        let expected = CLAIMS_WITH_ROLES_AND_IP;
        assert_eq!(key_order(&r), expected);
        assert_eq!(key_order(&a), expected);
        assert_eq!(
            (r["token_type"].clone(), a["token_type"].clone()),
            (json!("refresh"), json!("access"))
        );
        assert_eq!(
            r["exp"].as_i64().unwrap() - r["iat"].as_i64().unwrap(),
            86400
        );
        assert_eq!(a["exp"].as_i64().unwrap() - a["iat"].as_i64().unwrap(), 60);
        assert!((r["iat"].as_i64().unwrap() - now()).abs() <= 2);
        assert_eq!(
            r["user_id"],
            json!(alice.id),
            "a JSON integer, as the seed pages show"
        );
        assert_eq!(r["roles"], json!(["admin"]));
        assert_eq!(r["ip_address"], json!("127.0.0.1"));
        assert_eq!(a["ip_address"], r["ip_address"]);
        for claims in [&r, &a] {
            let jti = claims["jti"].as_str().unwrap();
            assert!(
                jti.len() == 32 && jti.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')),
                "{jti}"
            );
            assert!(jtis.insert(jti.to_owned()), "jti {jti} repeated");
        }
    }

    // A refreshed access token keeps the login-time claims.
    let (refresh, _) = app.login("alice", "pw").await;
    let answer = app.refresh(&refresh).await;
    let refreshed = decode(answer.json()["access"].as_str().unwrap());
    assert_eq!(key_order(&refreshed), CLAIMS_WITH_ROLES_AND_IP);
    assert_eq!(refreshed["roles"], json!(["admin"]));
}

#[tokio::test]
async fn no_claim_the_configuration_does_not_ask_for() {
    let app = spawn_app().await;
    app.add_user("bob", "", "pw", &["x"]).await;
    let (refresh, access) = app.login("bob", "pw").await;
    assert_eq!(
        key_order(&decode(&refresh)),
        ["token_type", "exp", "iat", "jti", "user_id"]
    );
    let a = decode(&access);
    assert_eq!(
        key_order(&a),
        ["token_type", "exp", "iat", "jti", "user_id"]
    );
    assert_eq!(
        a["exp"].as_i64().unwrap() - a["iat"].as_i64().unwrap(),
        300,
        "SimpleJWT's 5 minute default"
    );
}

#[tokio::test]
async fn ip_address_honours_forwarded_for_only_from_trusted_proxies() {
    let trusting = spawn_with(|s| {
        s.extra_claims = vec![ExtraClaim::IpAddress];
        s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let untrusting = spawn_with(|s| s.extra_claims = vec![ExtraClaim::IpAddress]).await;
    for (app, expected) in [(&trusting, "203.0.113.9"), (&untrusting, "127.0.0.1")] {
        app.add_user("alice", "", "pw", &[]).await;
        let request = app
            .http
            .post(app.url("/token/"))
            .header("x-forwarded-for", "198.51.100.1, 203.0.113.9")
            .json(&json!({"username": "alice", "password": "pw"}));
        let answer = app.send(request).await;
        let access = answer.json()["access"].as_str().unwrap().to_owned();
        assert_eq!(decode(&access)["ip_address"], json!(expected));
    }
}

#[tokio::test]
async fn update_last_login_writes_last_login() {
    let app = spawn_with(|s| s.update_last_login = true).await;
    let alice = app.add_user("alice", "", "pw", &[]).await;
    assert_eq!(alice.last_login, None);
    app.login("alice", "pw").await;
    let after = app.state.store.user_by_id(alice.id).await.unwrap().unwrap();
    assert!((after.last_login.unwrap() - now()).abs() <= 2);

    let quiet = spawn_app().await;
    let bob = quiet.add_user("bob", "", "pw", &[]).await;
    quiet.login("bob", "pw").await;
    assert_eq!(
        quiet
            .state
            .store
            .user_by_id(bob.id)
            .await
            .unwrap()
            .unwrap()
            .last_login,
        None
    );
}
