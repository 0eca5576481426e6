//! docs/ARCHITECTURE.md contract rows for refresh, verify and blacklist.

use serde_json::{Map, Value, json};

use crate::helpers::*;

#[tokio::test]
async fn refresh_gives_a_new_access_token() {
    let app = spawn_app().await;
    app.add_user("alice", "", "pw", &[]).await;
    let (refresh, _) = app.login("alice", "pw").await;
    let answer = app.refresh(&refresh).await;
    assert_eq!(answer.status, 200);
    let body = answer.json();
    assert_eq!(key_order(body.as_object().unwrap()), ["access"]);
    // Without rotation the refresh token stays usable.
    assert_eq!(app.refresh(&refresh).await.status, 200);
}

#[tokio::test]
async fn rotation_returns_a_fresh_refresh_token_and_blacklists_the_old_one() {
    let app = spawn_with_clock(
        |s| {
            s.rotate_refresh_tokens = true;
            s.blacklist_after_rotation = true;
        },
        clock_in_this_second(0),
    )
    .await;
    app.add_user("alice", "", "pw", &[]).await;
    let (refresh, _) = app.login("alice", "pw").await;
    app.clock.advance(std::time::Duration::from_millis(1100));
    let answer = app.refresh(&refresh).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let body = answer.json();
    assert_eq!(key_order(body.as_object().unwrap()), ["access", "refresh"]);
    let next = body["refresh"].as_str().unwrap();
    let (old, new) = (token_part(&refresh, 1), token_part(next, 1));
    assert_ne!(old["jti"], new["jti"]);
    assert!(
        new["exp"].as_i64() > old["exp"].as_i64(),
        "a fresh lifetime"
    );
    assert_eq!(
        new["exp"].as_i64().unwrap() - new["iat"].as_i64().unwrap(),
        86400
    );
    app.refresh(&refresh)
        .await
        .expect(401, token_not_valid("Token is blacklisted"));
    app.verify(&refresh)
        .await
        .expect(400, json!({"non_field_errors": ["Token is blacklisted"]}));
    assert_eq!(app.refresh(next).await.status, 200);
}

#[tokio::test]
async fn refused_refresh_tokens_name_their_fault() {
    let app = spawn_app().await;
    let alice = app.add_user("alice", "", "pw", &[]).await;
    let (refresh, access) = app.login("alice", "pw").await;
    let now = now();
    let cases = [
        ("not a token".to_owned(), "Token is invalid"),
        (format!("{refresh}x"), "Token is invalid"),
        (
            app.altered(&refresh, |c| {
                c.insert("exp".into(), json!(now - 5));
            }),
            "Token is expired",
        ),
        (access.clone(), "Token has wrong type"),
        (
            app.altered(&refresh, |c| {
                c.remove("jti");
            }),
            "Token has no id",
        ),
        (
            app.altered(&refresh, |c| {
                c.remove("token_type");
            }),
            "Token has no type",
        ),
        (
            app.altered(&refresh, |c| {
                c.remove("exp");
            }),
            "Token has no 'exp' claim",
        ),
    ];
    for (token, detail) in &cases {
        app.refresh(token)
            .await
            .expect(401, token_not_valid(detail));
        app.blacklist(token)
            .await
            .expect(401, token_not_valid(detail));
        if *detail != "Token has wrong type" && *detail != "Token has no type" {
            // verify takes any token type, so only the type faults pass there.
            app.verify(token).await.expect(401, token_not_valid(detail));
        }
    }
    app.post_json("/token/refresh/", json!({}))
        .await
        .expect(400, json!({"refresh": ["This field is required."]}));
    app.verify("")
        .await
        .expect(400, json!({"token": ["This field may not be blank."]}));

    // Inactive, then deleted users: no_active_token without a code.
    let expected = json!({"detail": "No active account found for the given token."});
    app.state.store.set_active(alice.id, false).await.unwrap();
    app.refresh(&refresh).await.expect(401, expected.clone());
    app.state.store.delete_user(alice.id).await.unwrap();
    app.refresh(&refresh).await.expect(401, expected);
}

#[tokio::test]
async fn verify_accepts_any_well_signed_unexpired_token() {
    let app = spawn_app().await;
    app.add_user("alice", "", "pw", &[]).await;
    let (refresh, access) = app.login("alice", "pw").await;
    app.verify(&refresh).await.expect(200, json!({}));
    app.verify(&access).await.expect(200, json!({}));
    let typeless = app.altered(&access, |c| {
        c.remove("token_type");
    });
    app.verify(&typeless).await.expect(200, json!({}));
}

#[tokio::test]
async fn blacklisting_retires_a_refresh_token_but_not_its_access_tokens() {
    let app = spawn_app().await;
    app.add_user("alice", "", "pw", &[]).await;
    let (refresh, access) = app.login("alice", "pw").await;
    app.blacklist(&refresh).await.expect(200, json!({}));
    app.blacklist(&refresh)
        .await
        .expect(401, token_not_valid("Token is blacklisted"));
    app.refresh(&refresh)
        .await
        .expect(401, token_not_valid("Token is blacklisted"));
    app.verify(&refresh)
        .await
        .expect(400, json!({"non_field_errors": ["Token is blacklisted"]}));
    let me = app
        .get_with_auth("/users/me/", &format!("Bearer {access}"))
        .await;
    assert_eq!(me.status, 200, "access tokens live until they expire");
}

#[tokio::test]
async fn refresh_tokens_jwtd_never_issued_are_honoured_until_blacklisted() {
    let app = spawn_app().await;
    let alice = app.add_user("alice", "", "pw", &[]).await;
    // What stock SimpleJWT 5.5 mints: a string user id.
    let now = now();
    let claims: Map<String, Value> = serde_json::from_value(json!({
        "token_type": "refresh", "exp": now + 3600, "iat": now,
        "jti": "0123456789abcdef0123456789abcdef", "user_id": alice.id.to_string(),
    }))
    .unwrap();
    let foreign = app.sign(&claims);
    let answer = app.refresh(&foreign).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let access = answer.json()["access"].as_str().unwrap().to_owned();
    assert_eq!(
        token_part(&access, 1)["user_id"],
        json!(alice.id.to_string())
    );
    assert_eq!(
        app.get_with_auth("/users/me/", &format!("Bearer {access}"))
            .await
            .status,
        200
    );
    app.blacklist(&foreign).await.expect(200, json!({}));
    app.refresh(&foreign)
        .await
        .expect(401, token_not_valid("Token is blacklisted"));
}
