//! docs/ARCHITECTURE.md contract rows for `POST /token/` and the request-level errors.

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn valid_login_answers_refresh_then_access() {
    let app = spawn_app().await;
    app.add_user("alice", "alice@example.com", "correct horse", &[])
        .await;
    let answer = app
        .post_json(
            "/token/",
            json!({"username": "alice", "password": "correct horse"}),
        )
        .await;
    assert_eq!(answer.status, 200);
    let body = answer.json();
    let keys = key_order(body.as_object().unwrap());
    assert_eq!(keys, ["refresh", "access"]);
    assert!(
        answer.text.starts_with("{\"refresh\":\"ey"),
        "{}",
        answer.text
    );
}

#[tokio::test]
async fn form_and_multipart_bodies_log_in_too() {
    let app = spawn_app().await;
    app.add_user("alice", "", "pw", &[]).await;
    let form = app
        .send(
            app.http
                .post(app.url("/token/"))
                .form(&[("username", "alice"), ("password", "pw")]),
        )
        .await;
    assert_eq!(form.status, 200, "{}", form.text);
    let multipart = reqwest::multipart::Form::new()
        .text("username", "alice")
        .text("password", "pw");
    let answer = app
        .send(app.http.post(app.url("/token/")).multipart(multipart))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let bad = reqwest::multipart::Form::new().text("username", "alice");
    app.send(app.http.post(app.url("/token/")).multipart(bad))
        .await
        .expect(400, json!({"password": ["This field is required."]}));
}

#[tokio::test]
async fn missing_blank_and_null_fields_are_reported_per_field_in_order() {
    let app = spawn_app().await;
    app.post_json("/token/", json!({})).await.expect(
        400,
        json!({"username": ["This field is required."], "password": ["This field is required."]}),
    );
    let answer = app
        .post_json("/token/", json!({"password": "", "username": null}))
        .await;
    answer.expect(400, json!({"username": ["This field may not be null."], "password": ["This field may not be blank."]}));
    let body = answer.json();
    let keys = key_order(body.as_object().unwrap());
    assert_eq!(
        keys,
        ["username", "password"],
        "field order, not body order"
    );
    app.post_json("/token/", json!({"username": "   ", "password": "x"}))
        .await
        .expect(400, json!({"username": ["This field may not be blank."]}));
    // An empty body is no data at all, whatever its content type.
    app.post_raw("/token/", "application/json", "")
        .await
        .expect(400, json!({"username": ["This field is required."], "password": ["This field is required."]}));
}

#[tokio::test]
async fn non_string_fields_are_refused_but_numbers_are_taken_as_text() {
    let app = spawn_app().await;
    for bad in [json!(true), json!(["a"]), json!({"a": 1})] {
        app.post_json("/token/", json!({"username": bad, "password": "x"}))
            .await
            .expect(400, json!({"username": ["Not a valid string."]}));
    }
    app.add_user("12345", "", "67890", &[]).await;
    let answer = app
        .post_json("/token/", json!({"username": 12345, "password": 67890}))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    app.post_json("/token/", json!({"username": "a\u{0}b", "password": "x"}))
        .await
        .expect(
            400,
            json!({"username": ["Null characters are not allowed."]}),
        );
}

#[tokio::test]
async fn json_that_is_not_an_object_is_a_non_field_error() {
    let app = spawn_app().await;
    for (body, kind) in [
        ("[]", "list"),
        ("\"x\"", "str"),
        ("7", "int"),
        ("1.5", "float"),
        ("true", "bool"),
    ] {
        app.post_raw("/token/", "application/json", body).await.expect(
            400,
            json!({"non_field_errors": [format!("Invalid data. Expected a dictionary, but got {kind}.")]}),
        );
    }
    app.post_raw("/token/", "application/json", "null")
        .await
        .expect(400, json!({"non_field_errors": ["No data provided"]}));
}

#[tokio::test]
async fn every_failed_login_gets_the_same_401() {
    let app = spawn_app().await;
    app.add_user("alice", "", "right", &[]).await;
    let inactive = app.add_user("carol", "", "right", &[]).await;
    app.state
        .store
        .set_active(inactive.id, false)
        .await
        .unwrap();
    let expected = json!({"detail": "No active account found with the given credentials"});
    let huge = "p".repeat(10 * 1024);
    for (user, pw) in [
        ("alice", "wrong"),
        ("nobody", "right"),
        ("carol", "right"),
        ("alice", huge.as_str()),
    ] {
        app.post_json("/token/", json!({"username": user, "password": pw}))
            .await
            .expect(401, expected.clone());
    }
}

#[tokio::test]
async fn email_login_ignores_case() {
    let app = spawn_with(|s| s.login_field = jwtd_core::settings::LoginField::Email).await;
    app.add_user("alice", "Alice@Example.com", "pw", &[]).await;
    let answer = app
        .post_json(
            "/token/",
            json!({"email": "aLiCe@example.COM", "password": "pw"}),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    app.post_json("/token/", json!({"username": "alice", "password": "pw"}))
        .await
        .expect(400, json!({"email": ["This field is required."]}));
}

#[tokio::test]
async fn request_errors_are_drf_shaped() {
    let app = spawn_app().await;
    let answer = app.send(app.http.get(app.url("/token/"))).await;
    answer.expect(405, json!({"detail": "Method \"GET\" not allowed."}));
    assert_eq!(answer.header("allow"), Some("POST, OPTIONS"));
    app.send(app.http.put(app.url("/token/refresh/")))
        .await
        .expect(405, json!({"detail": "Method \"PUT\" not allowed."}));

    app.post_raw("/token/", "application/json", "{\"username\": ")
        .await
        .expect(
            400,
            json!({"detail": "JSON parse error - Expecting value: line 1 column 14 (char 13)"}),
        );
    app.post_raw("/token/", "text/plain", "hello").await.expect(
        415,
        json!({"detail": "Unsupported media type \"text/plain\" in request."}),
    );
    app.send(app.http.post(app.url("/token/")).body("no content type"))
        .await
        .expect(
            415,
            json!({"detail": "Unsupported media type \"\" in request."}),
        );

    let big = format!("{{\"username\": \"{}\"}}", "a".repeat(1024 * 1024));
    let answer = app
        .post_raw("/token/", "application/json", big.clone())
        .await;
    answer.expect(
        413,
        json!({"detail": "Request body is too large. The limit is 1048576 bytes."}),
    );
    // The same without Content-Length (chunked): the limit holds while reading.
    let stream = futures_stream(big.into_bytes());
    let answer = app
        .send(
            app.http
                .post(app.url("/token/"))
                .header("content-type", "application/json")
                .body(stream),
        )
        .await;
    assert_eq!(answer.status, 413, "{}", answer.text);

    app.send(app.http.get(app.url("/nowhere/")))
        .await
        .expect(404, json!({"detail": "Not found."}));
}

/// A body without Content-Length.
fn futures_stream(bytes: Vec<u8>) -> reqwest::Body {
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        bytes.chunks(64 * 1024).map(|c| Ok(c.to_vec())).collect();
    reqwest::Body::wrap_stream(futures_util::stream::iter(chunks))
}

#[tokio::test]
async fn paths_answer_with_and_without_trailing_slash() {
    let app = spawn_app().await;
    app.add_user("alice", "", "pw", &[]).await;
    let answer = app
        .post_json("/token", json!({"username": "alice", "password": "pw"}))
        .await;
    assert_eq!(answer.status, 200);
    let (refresh, _) = app.login("alice", "pw").await;
    assert_eq!(
        app.post_json("/token/refresh", json!({"refresh": refresh}))
            .await
            .status,
        200
    );
    assert_eq!(
        app.post_json("/token/verify", json!({"token": refresh}))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn routes_come_from_settings() {
    let app = spawn_with(|s| {
        s.routes.set("token_obtain", "/users/login/");
        s.routes.set("token_blacklist", "");
    })
    .await;
    app.add_user("alice", "", "pw", &[]).await;
    let answer = app
        .post_json(
            "/users/login/",
            json!({"username": "alice", "password": "pw"}),
        )
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(app.post_json("/token/", json!({})).await.status, 404);
    assert_eq!(
        app.post_json("/token/blacklist/", json!({})).await.status,
        404
    );
}

#[tokio::test]
async fn options_answers_drfs_metadata() {
    let app = spawn_app().await;
    let answer = app
        .send(
            app.http
                .request(reqwest::Method::OPTIONS, app.url("/token/")),
        )
        .await;
    assert_eq!(answer.header("allow"), Some("POST, OPTIONS"));
    assert_eq!(
        answer.text,
        r#"{"renders":["application/json"],"parses":["application/json","application/x-www-form-urlencoded","multipart/form-data"]}"#
    );
}
