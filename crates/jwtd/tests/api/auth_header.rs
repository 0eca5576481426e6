//! docs/ARCHITECTURE.md contract rows for `GET /users/me/` and the `Authorization` header.

use serde_json::{Value, json};

use crate::helpers::*;

fn not_valid(message: &str) -> Value {
    not_valid_for_any(&[("AccessToken", "access", message)])
}

#[tokio::test]
async fn me_answers_the_tokens_user() {
    let app = spawn_app().await;
    let alice = app
        .add_user("alice", "alice@example.com", "pw", &["admin", "ops"])
        .await;
    let (_, access) = app.login("alice", "pw").await;
    let answer = app
        .get_with_auth("/users/me/", &format!("Bearer {access}"))
        .await;
    answer.expect(200, json!({"id": alice.id, "username": "alice", "email": "alice@example.com", "roles": ["admin", "ops"]}));
    assert_eq!(
        key_order(answer.json().as_object().unwrap()),
        ["id", "username", "email", "roles"]
    );
    // Extra spaces between the two parts are fine.
    assert_eq!(
        app.get_with_auth("/users/me/", &format!("Bearer    {access}  "))
            .await
            .status,
        200
    );
    assert_eq!(
        app.get_with_auth("/users/me", &format!("Bearer {access}"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn missing_or_foreign_keywords_mean_no_credentials() {
    let app = spawn_app().await;
    app.add_user("alice", "", "pw", &[]).await;
    let (_, access) = app.login("alice", "pw").await;
    let no_creds = json!({"detail": "Authentication credentials were not provided."});
    app.send(app.http.get(app.url("/users/me/")))
        .await
        .expect(401, no_creds.clone());
    for header in [
        format!("bearer {access}"),
        format!("JWT {access}"),
        format!("Token {access}"),
        String::new(),
    ] {
        app.get_with_auth("/users/me/", &header)
            .await
            .expect(401, no_creds.clone());
    }
    let answer = app.get_with_auth("/users/me/", "").await;
    assert_eq!(
        answer.header("www-authenticate"),
        Some("Bearer realm=\"api\"")
    );
}

#[tokio::test]
async fn keyword_with_zero_or_several_values_is_a_bad_header() {
    let app = spawn_app().await;
    let bad = json!({"detail": "Authorization header must contain two space-delimited values", "code": "bad_authorization_header"});
    for header in ["Bearer", "Bearer a b", "Bearer a b c"] {
        app.get_with_auth("/users/me/", header)
            .await
            .expect(401, bad.clone());
    }
}

#[tokio::test]
async fn refused_access_tokens_list_the_fault() {
    let app = spawn_app().await;
    let alice = app.add_user("alice", "", "pw", &[]).await;
    let (refresh, access) = app.login("alice", "pw").await;
    let mut expired = token_part(&access, 1);
    expired.insert("exp".into(), json!(now() - 1));
    let mut no_user = token_part(&access, 1);
    no_user.remove("user_id");
    for (token, message) in [
        ("garbage".to_owned(), "Token is invalid"),
        (app.sign(&expired), "Token is expired"),
        (refresh, "Token has wrong type"),
    ] {
        app.get_with_auth("/users/me/", &format!("Bearer {token}"))
            .await
            .expect(401, not_valid(message));
    }
    app.get_with_auth("/users/me/", &format!("Bearer {}", app.sign(&no_user)))
        .await
        .expect(401, json!({"detail": "Token contained no recognizable user identification", "code": "token_not_valid"}));

    app.state.store.set_active(alice.id, false).await.unwrap();
    app.get_with_auth("/users/me/", &format!("Bearer {access}"))
        .await
        .expect(
            401,
            json!({"detail": "User is inactive", "code": "user_inactive"}),
        );
    app.state.store.delete_user(alice.id).await.unwrap();
    app.get_with_auth("/users/me/", &format!("Bearer {access}"))
        .await
        .expect(
            401,
            json!({"detail": "User not found", "code": "user_not_found"}),
        );
}

#[tokio::test]
async fn wrong_method_on_a_protected_route_is_checked_after_authentication() {
    let app = spawn_app().await;
    app.add_user("alice", "", "pw", &[]).await;
    let (_, access) = app.login("alice", "pw").await;
    app.send(app.http.post(app.url("/users/me/"))).await.expect(
        401,
        json!({"detail": "Authentication credentials were not provided."}),
    );
    let answer = app
        .send(
            app.http
                .post(app.url("/users/me/"))
                .header("authorization", format!("Bearer {access}")),
        )
        .await;
    answer.expect(405, json!({"detail": "Method \"POST\" not allowed."}));
    assert_eq!(answer.header("allow"), Some("GET, HEAD, OPTIONS"));
}

#[tokio::test]
async fn auth_header_types_decide_the_keywords() {
    let app = spawn_with(|s| s.auth_header_types = vec!["JWT".into()]).await;
    app.add_user("alice", "", "pw", &[]).await;
    let (_, access) = app.login("alice", "pw").await;
    assert_eq!(
        app.get_with_auth("/users/me/", &format!("JWT {access}"))
            .await
            .status,
        200
    );
    let answer = app
        .get_with_auth("/users/me/", &format!("Bearer {access}"))
        .await;
    answer.expect(
        401,
        json!({"detail": "Authentication credentials were not provided."}),
    );
    assert_eq!(answer.header("www-authenticate"), Some("JWT realm=\"api\""));
}
