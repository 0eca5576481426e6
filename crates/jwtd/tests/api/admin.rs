//! The admin API over HTTP: who may call it, users (list, search, pages, create, change,
//! delete, passwords, log out), DRF's field errors in English and Russian, the audit log.

use jwtd_store::NewApiKey;
use serde_json::{Value, json};

use crate::helpers::*;

/// An app with an administrator (`root`) and a plain user (`ivan`); (app, admin's access).
async fn app_with_admin() -> (TestApp, String) {
    let app = spawn_with(|s| s.languages = vec![jwtd_core::Lang::En, jwtd_core::Lang::Ru]).await;
    app.add_user("root", "root@example.com", "root password 1", &["admin"])
        .await;
    app.add_user("ivan", "ivan@example.ru", "ivan password 1", &[])
        .await;
    let (_, access) = app.login("root", "root password 1").await;
    (app, access)
}

/// A key made as `jwtd api-key create` makes it.
async fn api_key(app: &TestApp, name: &str, read_only: bool) -> String {
    let key = jwtd::api_key::generate();
    let new = NewApiKey {
        name: name.into(),
        prefix: jwtd::api_key::prefix(&key),
        key_hash: jwtd::api_key::hash(&key),
        read_only,
    };
    app.state.store.add_api_key(&new, 0).await.unwrap();
    format!("Api-Key {key}")
}

pub async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    auth: &str,
    body: Option<Value>,
) -> Answer {
    call_in(app, method, path, auth, body, "en").await
}

pub async fn call_in(
    app: &TestApp,
    method: &str,
    path: &str,
    auth: &str,
    body: Option<Value>,
    lang: &str,
) -> Answer {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = app
        .http
        .request(method, app.url(path))
        .header("accept-language", lang);
    if !auth.is_empty() {
        request = request.header("authorization", auth);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    app.send(request).await
}

#[tokio::test]
async fn only_administrators_and_api_keys_get_in() {
    let (app, admin) = app_with_admin().await;
    let admin = format!("Bearer {admin}");
    let (_, user) = app.login("ivan", "ivan password 1").await;
    let user = format!("Bearer {user}");
    let reader = api_key(&app, "dashboard", true).await;
    let writer = api_key(&app, "provisioning", false).await;

    call(&app, "GET", "/admin/users/", "", None).await.expect(
        401,
        json!({"detail": "Authentication credentials were not provided."}),
    );
    let denied = json!({"detail": "You do not have permission to perform this action."});
    call(&app, "GET", "/admin/users/", &user, None)
        .await
        .expect(403, denied.clone());
    call_in(&app, "GET", "/admin/audit/", &user, None, "ru")
        .await
        .expect(
            403,
            json!({"detail": "У вас недостаточно прав для выполнения данного действия."}),
        );
    call(&app, "GET", "/admin/users/", "Api-Key jwtd_wrong", None)
        .await
        .expect(
            401,
            json!({"detail": "Incorrect authentication credentials."}),
        );
    assert_eq!(
        call(&app, "GET", "/admin/users/", &admin, None)
            .await
            .status,
        200
    );
    assert_eq!(
        call(&app, "GET", "/admin/users/", &reader, None)
            .await
            .status,
        200
    );
    let new = json!({"username": "bot-made", "password": "a long fresh password"});
    call(&app, "POST", "/admin/users/", &reader, Some(new.clone()))
        .await
        .expect(403, denied.clone());
    assert_eq!(
        call(&app, "POST", "/admin/users/", &writer, Some(new))
            .await
            .status,
        201
    );
    // DRF authenticates before it checks the method.
    assert_eq!(
        call(&app, "PUT", "/admin/users/", "", None).await.status,
        401
    );
    assert_eq!(
        call(&app, "PUT", "/admin/users/", &user, None).await.status,
        403
    );
    let put = call(&app, "PUT", "/admin/users/", &admin, None).await;
    put.expect(405, json!({"detail": "Method \"PUT\" not allowed."}));
    // A demoted administrator's unexpired token no longer counts.
    let root = app
        .state
        .store
        .user_by_username("root")
        .await
        .unwrap()
        .unwrap();
    let demote = json!({"roles": []});
    call(
        &app,
        "PATCH",
        &format!("/admin/users/{}/", root.id),
        &writer,
        Some(demote),
    )
    .await;
    call(&app, "GET", "/admin/users/", &admin, None)
        .await
        .expect(403, denied);
}

#[tokio::test]
async fn users_are_listed_searched_and_paginated_like_drf() {
    let (app, admin) = app_with_admin().await;
    let admin = format!("Bearer {admin}");
    for i in 1..=23 {
        let role = if i % 2 == 0 {
            json!(["staff"])
        } else {
            json!([])
        };
        let body = json!({"username": format!("user{i:02}"), "email": format!("u{i}@corp.example"),
                          "roles": role, "is_active": i != 5, "password": "a long fresh password"});
        let created = call(&app, "POST", "/admin/users/", &admin, Some(body)).await;
        assert_eq!(created.status, 201, "{}", created.text);
    }
    let first = call(
        &app,
        "GET",
        "/admin/users/?page_size=10&search=user",
        &admin,
        None,
    )
    .await
    .json();
    assert_eq!(first["count"], 23);
    assert_eq!(first["results"].as_array().unwrap().len(), 10);
    assert_eq!(first["previous"], Value::Null);
    assert_eq!(
        first["next"],
        json!(app.url("/admin/users/?page_size=10&search=user&page=2"))
    );
    let second = call(
        &app,
        "GET",
        "/admin/users/?page_size=10&search=user&page=2",
        &admin,
        None,
    )
    .await
    .json();
    assert_eq!(
        second["previous"],
        json!(app.url("/admin/users/?page_size=10&search=user"))
    );
    let last = call(
        &app,
        "GET",
        "/admin/users/?page_size=10&search=user&page=last",
        &admin,
        None,
    )
    .await
    .json();
    assert_eq!(
        (last["results"].as_array().unwrap().len(), &last["next"]),
        (3, &Value::Null)
    );
    assert_eq!(last["results"][2]["username"], "user23");
    call(&app, "GET", "/admin/users/?page=9", &admin, None)
        .await
        .expect(404, json!({"detail": "Invalid page."}));
    call_in(&app, "GET", "/admin/users/?page=x", &admin, None, "ru")
        .await
        .expect(404, json!({"detail": "Неправильная страница"}));

    let staff = call(
        &app,
        "GET",
        "/admin/users/?role=staff&page_size=100",
        &admin,
        None,
    )
    .await
    .json();
    assert_eq!(staff["count"], 11);
    let inactive = call(&app, "GET", "/admin/users/?is_active=false", &admin, None)
        .await
        .json();
    assert_eq!(inactive["results"][0]["username"], "user05");
    let found = call(&app, "GET", "/admin/users/?search=U7@CORP", &admin, None)
        .await
        .json();
    assert_eq!(found["count"], 1);
    let user = &found["results"][0];
    assert_eq!(
        key_order(user.as_object().unwrap()),
        [
            "id",
            "username",
            "email",
            "roles",
            "is_active",
            "last_login",
            "date_joined"
        ]
    );
    assert_eq!(
        (user["username"].as_str(), user["last_login"].clone()),
        (Some("user07"), Value::Null)
    );
    assert!(user["date_joined"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn one_user_is_read_changed_and_deleted() {
    let (app, admin) = app_with_admin().await;
    let admin = format!("Bearer {admin}");
    let ivan = app
        .state
        .store
        .user_by_username("ivan")
        .await
        .unwrap()
        .unwrap();
    let path = format!("/admin/users/{}/", ivan.id);
    let got = call(&app, "GET", &path, &admin, None).await.json();
    assert_eq!(
        (got["username"].as_str(), got["email"].as_str()),
        (Some("ivan"), Some("ivan@example.ru"))
    );
    let change = json!({"email": "Ivan@New.example", "roles": ["staff"], "is_active": "false"});
    let changed = call(&app, "PATCH", &path, &admin, Some(change)).await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(
        (
            changed.json()["roles"].clone(),
            changed.json()["is_active"].clone()
        ),
        (json!(["staff"]), json!(false))
    );
    let inactive = app
        .post_json(
            "/token/",
            json!({"username": "ivan", "password": "ivan password 1"}),
        )
        .await;
    assert_eq!(inactive.status, 401, "an inactive user cannot log in");

    let missing = json!({"detail": "Not found."});
    call(&app, "GET", "/admin/users/999/", &admin, None)
        .await
        .expect(404, missing.clone());
    call(&app, "GET", "/admin/users/abc/", &admin, None)
        .await
        .expect(404, missing.clone());
    call(&app, "PATCH", "/admin/users/999/", &admin, Some(json!({})))
        .await
        .expect(404, missing.clone());
    let deleted = call(&app, "DELETE", &path, &admin, None).await;
    assert_eq!((deleted.status, deleted.text.as_str()), (204, ""));
    call(&app, "DELETE", &path, &admin, None)
        .await
        .expect(404, missing);
}

#[tokio::test]
async fn field_errors_are_drfs_and_djangos_in_both_languages() {
    let (app, admin) = app_with_admin().await;
    let admin = format!("Bearer {admin}");
    let bad = json!({"username": "bad name", "email": "nope", "roles": "admin", "is_active": "maybe", "password": "xq7#"});
    call(&app, "POST", "/admin/users/", &admin, Some(bad.clone())).await.expect(400, json!({
        "username": ["Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."],
        "email": ["Enter a valid email address."],
        "roles": ["Expected a list of items but got type \"str\"."],
        "is_active": ["Must be a valid boolean."],
        "password": ["This password is too short. It must contain at least 8 characters."],
    }));
    call_in(&app, "POST", "/admin/users/", &admin, Some(bad), "ru").await.expect(400, json!({
        "username": ["Введите правильное имя пользователя. Оно может содержать только буквы, цифры и знаки @/./+/-/_."],
        "email": ["Введите правильный адрес электронной почты."],
        "roles": ["Ожидался list со значениями, но был получен \"str\"."],
        "is_active": ["Must be a valid boolean."],
        "password": ["Введённый пароль слишком короткий. Он должен состоять из как минимум 8 символов."],
    }));
    call(&app, "POST", "/admin/users/", &admin, Some(json!({})))
        .await
        .expect(
            400,
            json!({
                "username": ["This field is required."],
                "password": ["This field is required."],
            }),
        );
    let taken = json!({"username": "ivan", "password": "a long fresh password"});
    call(&app, "POST", "/admin/users/", &admin, Some(taken.clone()))
        .await
        .expect(
            400,
            json!({"username": ["A user with that username already exists."]}),
        );
    call_in(&app, "POST", "/admin/users/", &admin, Some(taken), "ru")
        .await
        .expect(
            400,
            json!({"username": ["Пользователь с таким именем уже существует."]}),
        );
    let email_taken = json!({"username": "ivan2", "email": "IVAN@example.ru", "password": "a long fresh password"});
    call(
        &app,
        "POST",
        "/admin/users/",
        &admin,
        Some(email_taken.clone()),
    )
    .await
    .expect(
        400,
        json!({"email": ["user with this email address already exists."]}),
    );
    call_in(
        &app,
        "POST",
        "/admin/users/",
        &admin,
        Some(email_taken),
        "ru",
    )
    .await
    .expect(
        400,
        json!({"email": ["пользователь с таким адрес электронной почты уже существует."]}),
    );
    let hash = json!({"username": "moved", "password_hash": "md5$nope"});
    call(&app, "POST", "/admin/users/", &admin, Some(hash))
        .await
        .expect(
            400,
            json!({"password_hash": ["Not a Django password hash jwtd can verify."]}),
        );
    // A Django hash is taken as it is, and logs in.
    // Django 5.2's `PBKDF2PasswordHasher().encode("secret pass", "salt", 1000)`.
    let django = "pbkdf2_sha256$1000$salt$1+NrF9MdFkxfXCFu/5rsu/6ATjCYnBc5GYnA39e72H4=";
    let moved = json!({"username": "moved", "password_hash": django});
    let created = call(&app, "POST", "/admin/users/", &admin, Some(moved)).await;
    assert_eq!(created.status, 201, "{}", created.text);
    app.login("moved", "secret pass").await;
}
