//! SimpleJWT settings parity: one test per setting, showing what it changes on the wire.

use jsonwebtoken::Algorithm;
use serde_json::{Map, Value, json};

use crate::helpers::*;

fn claims(value: Value) -> Map<String, Value> {
    serde_json::from_value(value).unwrap()
}

/// A well-formed refresh token's claims for user `id`, issued now.
fn refresh_claims(id: i64) -> Map<String, Value> {
    let t = now();
    claims(json!({
        "token_type": "refresh", "exp": t + 600, "iat": t,
        "jti": jwtd_core::token::new_jti(), "user_id": id,
    }))
}

#[tokio::test]
async fn audience_is_written_and_required() {
    let app =
        spawn_with(|s| s.audience = Some(jwtd_core::settings::Audience::One("billing".into())))
            .await;
    let alice = app.add_user("alice", "", "pw", &[]).await;
    let (refresh, access) = app.login("alice", "pw").await;
    assert_eq!(token_part(&refresh, 1)["aud"], json!("billing"));
    assert_eq!(
        claim_names(&access).last().unwrap(),
        "aud",
        "aud follows every claim"
    );
    app.verify(&access).await.expect(200, json!({}));

    let invalid = token_not_valid("Token is invalid");
    let mut wrong = refresh_claims(alice.id);
    wrong.insert("aud".into(), json!("shipping"));
    app.verify(&app.sign(&wrong))
        .await
        .expect(401, invalid.clone());
    let missing = refresh_claims(alice.id);
    app.verify(&app.sign(&missing)).await.expect(401, invalid);
    let mut listed = refresh_claims(alice.id);
    listed.insert("aud".into(), json!(["shipping", "billing"]));
    app.verify(&app.sign(&listed)).await.expect(200, json!({}));

    // Without an audience setting, `aud` is neither written nor checked (verify_aud=False).
    let plain = spawn_app().await;
    plain.add_user("alice", "", "pw", &[]).await;
    let (refresh, _) = plain.login("alice", "pw").await;
    assert!(!token_part(&refresh, 1).contains_key("aud"));
    plain
        .verify(&plain.sign(&wrong))
        .await
        .expect(200, json!({}));
}

#[tokio::test]
async fn issuer_is_written_and_required() {
    let app = spawn_with(|s| s.issuer = Some("https://auth.example.com".into())).await;
    let alice = app.add_user("alice", "", "pw", &[]).await;
    let (refresh, _) = app.login("alice", "pw").await;
    assert_eq!(
        token_part(&refresh, 1)["iss"],
        json!("https://auth.example.com")
    );
    let answer = app.refresh(&refresh).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let invalid = token_not_valid("Token is invalid");
    let mut forged = refresh_claims(alice.id);
    forged.insert("iss".into(), json!("https://evil.example.com"));
    app.post_json("/token/refresh/", json!({"refresh": app.sign(&forged)}))
        .await
        .expect(401, invalid.clone());
    app.post_json(
        "/token/refresh/",
        json!({"refresh": app.sign(&refresh_claims(alice.id))}),
    )
    .await
    .expect(401, invalid);
}

#[tokio::test]
async fn leeway_tolerates_recently_expired_tokens() {
    let mut expired = refresh_claims(1);
    expired.insert("exp".into(), json!(now() - 5));
    let strict = spawn_app().await;
    strict
        .verify(&strict.sign(&expired))
        .await
        .expect(401, token_not_valid("Token is expired"));
    let lenient = spawn_with(|s| s.leeway = std::time::Duration::from_secs(30)).await;
    lenient
        .verify(&lenient.sign(&expired))
        .await
        .expect(200, json!({}));
    expired.insert("exp".into(), json!(now() - 60));
    lenient
        .verify(&lenient.sign(&expired))
        .await
        .expect(401, token_not_valid("Token is expired"));
}

#[tokio::test]
async fn user_id_field_and_claim_name_the_user() {
    let app = spawn_with(|s| {
        s.user_id_field = jwtd_core::settings::UserIdField::Username;
        s.user_id_claim = "uid".into();
    })
    .await;
    let alice = app.add_user("alice", "alice@example.com", "pw", &[]).await;
    let (_, access) = app.login("alice", "pw").await;
    let payload = token_part(&access, 1);
    assert_eq!(payload["uid"], json!("alice"));
    assert!(!payload.contains_key("user_id"));
    let me = app
        .get_with_auth("/users/me/", &format!("Bearer {access}"))
        .await;
    assert_eq!(me.json()["id"], json!(alice.id), "{}", me.text);
    // A token naming the user under the default claim names nobody here.
    let mut other = token_part(&access, 1);
    other.remove("uid");
    other.insert("user_id".into(), json!(alice.id));
    app.get_with_auth("/users/me/", &format!("Bearer {}", app.sign(&other)))
        .await
        .expect(
            401,
            token_not_valid("Token contained no recognizable user identification"),
        );
    other.insert("uid".into(), json!("mallory"));
    app.get_with_auth("/users/me/", &format!("Bearer {}", app.sign(&other)))
        .await
        .expect(
            401,
            json!({"detail": "User not found", "code": "user_not_found"}),
        );
}

#[tokio::test]
async fn token_type_and_jti_claims_are_renamed() {
    let app = spawn_with(|s| {
        s.token_type_claim = "kind".into();
        s.jti_claim = "token_id".into();
    })
    .await;
    app.add_user("alice", "", "pw", &[]).await;
    let (refresh, access) = app.login("alice", "pw").await;
    assert_eq!(
        claim_names(&refresh),
        ["kind", "exp", "iat", "token_id", "user_id"]
    );
    let answer = app.refresh(&refresh).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    app.refresh(&access)
        .await
        .expect(401, token_not_valid("Token has wrong type"));
    let untyped = app.altered(&refresh, |c| {
        c.remove("kind");
    });
    app.refresh(&untyped)
        .await
        .expect(401, token_not_valid("Token has no type"));
    let anonymous = app.altered(&refresh, |c| {
        c.remove("token_id");
    });
    app.refresh(&anonymous)
        .await
        .expect(401, token_not_valid("Token has no id"));
}

#[tokio::test]
async fn auth_header_name_picks_the_header() {
    let app = spawn_with(|s| s.auth_header_name = "X-Api-Token".into()).await;
    app.add_user("alice", "", "pw", &[]).await;
    let (_, access) = app.login("alice", "pw").await;
    let me = app
        .send(
            app.http
                .get(app.url("/users/me/"))
                .header("x-api-token", format!("Bearer {access}")),
        )
        .await;
    assert_eq!(me.status, 200, "{}", me.text);
    app.get_with_auth("/users/me/", &format!("Bearer {access}"))
        .await
        .expect(
            401,
            json!({"detail": "Authentication credentials were not provided."}),
        );
}

#[tokio::test]
async fn check_user_is_active_off_lets_inactive_users_keep_their_tokens() {
    for check in [true, false] {
        let app = spawn_with(|s| s.check_user_is_active = check).await;
        let alice = app.add_user("alice", "", "pw", &[]).await;
        let (refresh, access) = app.login("alice", "pw").await;
        app.state.store.set_active(alice.id, false).await.unwrap();
        let me = app
            .get_with_auth("/users/me/", &format!("Bearer {access}"))
            .await;
        let renewed = app.refresh(&refresh).await;
        if check {
            me.expect(
                401,
                json!({"detail": "User is inactive", "code": "user_inactive"}),
            );
            renewed.expect(
                401,
                json!({"detail": "No active account found for the given token."}),
            );
        } else {
            assert_eq!((me.status, renewed.status), (200, 200), "{}", me.text);
        }
        // Login stays closed to inactive users either way (Django's ModelBackend).
        let login = app
            .post_json("/token/", json!({"username": "alice", "password": "pw"}))
            .await;
        assert_eq!(login.status, 401);
    }
}

#[tokio::test]
async fn check_revoke_token_kills_tokens_when_the_password_changes() {
    let app = spawn_with(|s| s.check_revoke_token = true).await;
    let alice = app.add_user("alice", "", "pw", &[]).await;
    let (refresh, access) = app.login("alice", "pw").await;
    let payload = token_part(&access, 1);
    let revoke = payload["hash_password"].as_str().unwrap();
    assert_eq!(revoke.len(), 32, "a random value, not a digest of the hash");
    assert_eq!(
        claim_names(&access),
        [
            "token_type",
            "exp",
            "iat",
            "jti",
            "user_id",
            "hash_password"
        ]
    );
    let me = |token: String| {
        let request = app.http.get(app.url("/users/me/")).bearer_auth(token);
        app.send(request)
    };
    assert_eq!(me(access.clone()).await.status, 200);

    let hash = app.state.hashing.hash("new pw".into()).await.unwrap();
    app.state.store.set_password(alice.id, &hash).await.unwrap();
    me(access.clone()).await.expect(
        401,
        json!({"detail": "The user's password has been changed.", "code": "password_changed"}),
    );
    app.refresh(&refresh).await.expect(
        401,
        json!({"detail": "The user's password has been changed."}),
    );
    // The refused refresh token was blacklisted on the way out.
    app.verify(&refresh)
        .await
        .expect(400, json!({"non_field_errors": ["Token is blacklisted"]}));
    // Tokens from a login with the new password work.
    let (_, fresh) = app.login("alice", "new pw").await;
    assert_eq!(me(fresh).await.status, 200);
    // A token without the claim predates the setting: refused too.
    let bare = app.altered(&access, |c| {
        c.remove("hash_password");
        c.insert("exp".into(), json!(now() + 60));
    });
    assert_eq!(me(bare).await.status, 401);

    // Off (the default): no claim, and a password change leaves tokens alone.
    let quiet = spawn_app().await;
    let bob = quiet.add_user("bob", "", "pw", &[]).await;
    let (_, access) = quiet.login("bob", "pw").await;
    assert!(!token_part(&access, 1).contains_key("hash_password"));
    quiet.state.store.set_password(bob.id, &hash).await.unwrap();
    let me = quiet
        .get_with_auth("/users/me/", &format!("Bearer {access}"))
        .await;
    assert_eq!(me.status, 200);
}

#[tokio::test]
async fn rehash_on_login_does_not_revoke_tokens() {
    let app = spawn_with(|s| s.check_revoke_token = true).await;
    let alice = app.add_user("alice", "", "pw", &[]).await;
    // A PBKDF2 hash as imported from Django (Python's hashlib for "correct horse"): the next
    // login re-hashes it with Argon2id.
    let django =
        "pbkdf2_sha256$1000$PV5ybXrCMVWe5KajpLOU1q$f882667O2RyXBTl02c7ELVatrwdot0kDmpB0Fl/Ph8Y=";
    app.state
        .store
        .upgrade_password_hash(alice.id, &alice.password, django)
        .await
        .unwrap();
    let (_, access) = app.login("alice", "correct horse").await;
    let mut after = alice.clone();
    for _ in 0..100 {
        after = app.state.store.user_by_id(alice.id).await.unwrap().unwrap();
        if after.password != django {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        after.password.starts_with("argon2$argon2id$"),
        "re-hashed on login"
    );
    assert_eq!(after.revoke_key, alice.revoke_key);

    // With upgrade_on_login off, an imported hash stays as it is.
    let keep = spawn_with(|s| s.hashing.upgrade_on_login = false).await;
    let bob = keep.add_user("bob", "", "pw", &[]).await;
    keep.state
        .store
        .upgrade_password_hash(bob.id, &bob.password, django)
        .await
        .unwrap();
    keep.login("bob", "correct horse").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let stored = keep.state.store.user_by_id(bob.id).await.unwrap().unwrap();
    assert_eq!(stored.password, django);
    let me = app
        .get_with_auth("/users/me/", &format!("Bearer {access}"))
        .await;
    assert_eq!(me.status, 200, "{}", me.text);
}

#[tokio::test]
async fn sliding_tokens_refresh_until_refresh_exp() {
    let app = spawn_with(|s| {
        s.routes.set("token_obtain_sliding", "/token/sliding/");
        s.routes
            .set("token_refresh_sliding", "/token/sliding/refresh/");
        s.auth_token_classes = vec![jwtd_core::settings::TokenClass::Sliding];
        s.sliding_token_lifetime = std::time::Duration::from_secs(120);
        s.sliding_token_refresh_lifetime = std::time::Duration::from_secs(3600);
    })
    .await;
    app.add_user("alice", "", "pw", &[]).await;
    let answer = app
        .post_json(
            "/token/sliding/",
            json!({"username": "alice", "password": "pw"}),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let body = answer.json();
    assert_eq!(key_order(body.as_object().unwrap()), ["token"]);
    let token = body["token"].as_str().unwrap().to_owned();
    let payload = token_part(&token, 1);
    assert_eq!(
        claim_names(&token),
        ["token_type", "exp", "iat", "jti", "refresh_exp", "user_id"]
    );
    let iat = payload["iat"].as_i64().unwrap();
    assert_eq!(payload["exp"].as_i64().unwrap() - iat, 120);
    assert_eq!(payload["refresh_exp"].as_i64().unwrap() - iat, 3600);

    // The sliding token is what protected routes accept here.
    let me = app
        .get_with_auth("/users/me/", &format!("Bearer {token}"))
        .await;
    assert_eq!(me.status, 200, "{}", me.text);

    // Refreshing: same jti and refresh_exp, a fresh exp.
    let older = app.altered(&token, |c| {
        c.insert("iat".into(), json!(iat - 100));
        c.insert("exp".into(), json!(iat + 20));
    });
    let answer = app
        .post_json("/token/sliding/refresh/", json!({"token": older}))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let slid = token_part(answer.json()["token"].as_str().unwrap(), 1);
    assert_eq!(slid["jti"], payload["jti"]);
    assert_eq!(slid["refresh_exp"], payload["refresh_exp"]);
    assert!(slid["exp"].as_i64().unwrap() >= iat + 120);

    // Past refresh_exp it is refused, even though exp has not passed.
    let stale = app.altered(&token, |c| {
        c.insert("refresh_exp".into(), json!(now() - 1));
    });
    app.post_json("/token/sliding/refresh/", json!({"token": stale}))
        .await
        .expect(
            401,
            token_not_valid("Token 'refresh_exp' claim has expired"),
        );
    let endless = app.altered(&token, |c| {
        c.remove("refresh_exp");
    });
    app.post_json("/token/sliding/refresh/", json!({"token": endless}))
        .await
        .expect(401, token_not_valid("Token has no 'refresh_exp' claim"));
    // A pair token is the wrong type for the sliding views, and vice versa.
    let (refresh, access) = app.login("alice", "pw").await;
    app.post_json("/token/sliding/refresh/", json!({"token": refresh}))
        .await
        .expect(401, token_not_valid("Token has wrong type"));
    app.refresh(&token)
        .await
        .expect(401, token_not_valid("Token has wrong type"));
    // Only sliding tokens are accepted on protected routes with this configuration.
    app.get_with_auth("/users/me/", &format!("Bearer {access}"))
        .await
        .expect(
            401,
            not_valid_for_any(&[("SlidingToken", "sliding", "Token has wrong type")]),
        );
}

#[tokio::test]
async fn auth_token_classes_are_tried_in_order() {
    use jwtd_core::settings::TokenClass;
    let app = spawn_with(|s| {
        s.routes.set("token_obtain_sliding", "/token/sliding/");
        s.auth_token_classes = vec![TokenClass::Access, TokenClass::Sliding];
    })
    .await;
    app.add_user("alice", "", "pw", &[]).await;
    let (refresh, access) = app.login("alice", "pw").await;
    let sliding = app.login_sliding("alice", "pw").await;
    for token in [&access, &sliding] {
        let me = app
            .get_with_auth("/users/me/", &format!("Bearer {token}"))
            .await;
        assert_eq!(me.status, 200, "{}", me.text);
    }
    app.get_with_auth("/users/me/", &format!("Bearer {refresh}"))
        .await
        .expect(
            401,
            not_valid_for_any(&[
                ("AccessToken", "access", "Token has wrong type"),
                ("SlidingToken", "sliding", "Token has wrong type"),
            ]),
        );
}

#[tokio::test]
async fn sliding_endpoints_are_off_unless_routed() {
    let app = spawn_app().await;
    app.post_json("/token/sliding/", json!({}))
        .await
        .expect(404, json!({"detail": "Not found."}));
}

#[tokio::test]
async fn hs384_and_hs512_sign_and_refuse_other_algorithms() {
    for (setting, algorithm, header) in [
        (
            jwtd_core::settings::Algorithm::HS384,
            Algorithm::HS384,
            "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzM4NCJ9",
        ),
        (
            jwtd_core::settings::Algorithm::HS512,
            Algorithm::HS512,
            "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzUxMiJ9",
        ),
    ] {
        let app = spawn_with(|s| s.algorithm = setting).await;
        let alice = app.add_user("alice", "", "pw", &[]).await;
        let (refresh, access) = app.login("alice", "pw").await;
        assert_eq!(refresh.split('.').next(), Some(header));
        app.verify(&access).await.expect(200, json!({}));
        let own = sign_with(algorithm, &refresh_claims(alice.id));
        app.verify(&own).await.expect(200, json!({}));
        // The same key under HS256 is not this deployment's algorithm.
        app.verify(&app.sign(&refresh_claims(alice.id)))
            .await
            .expect(401, token_not_valid("Token is invalid"));
    }
}
