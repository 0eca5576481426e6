//! Sessions (one per login), self-service password changes, registration, and the audit log
//! of all of it.

use serde_json::{Value, json};

use crate::admin::{call, call_in};
use crate::helpers::*;

async fn login_as(app: &TestApp, user: &str, password: &str, agent: &str) -> (String, String) {
    let answer = app
        .send(
            app.http
                .post(app.url("/token/"))
                .header("user-agent", agent)
                .json(&json!({"username": user, "password": password})),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let body = answer.json();
    (
        body["refresh"].as_str().unwrap().into(),
        body["access"].as_str().unwrap().into(),
    )
}

fn blacklisted() -> Value {
    token_not_valid("Token is blacklisted")
}

#[tokio::test]
async fn two_logins_are_two_sessions_and_one_can_be_revoked() {
    let app = spawn_app().await;
    let alice = app.add_user("alice", "", "alice password 1", &[]).await;
    app.add_user("mallory", "", "mallory password 1", &[]).await;
    app.add_user("root", "", "root password 1", &["admin"])
        .await;
    let (phone_refresh, phone_access) =
        login_as(&app, "alice", "alice password 1", "Phone/1.0").await;
    let (laptop_refresh, laptop_access) =
        login_as(&app, "alice", "alice password 1", "Laptop/2.0").await;

    let (_, root) = app.login("root", "root password 1").await;
    let root = format!("Bearer {root}");
    let listed = call(
        &app,
        "GET",
        &format!("/admin/users/{}/sessions/", alice.id),
        &root,
        None,
    )
    .await
    .json();
    let agents: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["user_agent"].as_str().unwrap())
        .collect();
    assert_eq!(agents, ["Laptop/2.0", "Phone/1.0"], "newest first");
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["ip_address"] == "127.0.0.1" && s.get("current").is_none())
    );

    let mine = call(
        &app,
        "GET",
        "/users/me/sessions/",
        &format!("Bearer {phone_access}"),
        None,
    )
    .await
    .json();
    let current: Vec<(&str, bool)> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["user_agent"].as_str().unwrap(),
                s["current"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(current, [("Laptop/2.0", false), ("Phone/1.0", true)]);
    // Refreshed access tokens still name their session.
    let refreshed = app.refresh(&laptop_refresh).await.json()["access"]
        .as_str()
        .unwrap()
        .to_owned();
    let mine = call(
        &app,
        "GET",
        "/users/me/sessions/",
        &format!("Bearer {refreshed}"),
        None,
    )
    .await
    .json();
    assert_eq!(mine[0]["current"], true);

    // Another user cannot see or end it: a 404, as for a session that does not exist.
    let (_, mallory) = app.login("mallory", "mallory password 1").await;
    let phone_id = mine[1]["id"].as_i64().unwrap();
    let theirs = format!("/users/me/sessions/{phone_id}/");
    call(&app, "DELETE", &theirs, &format!("Bearer {mallory}"), None)
        .await
        .expect(404, json!({"detail": "Not found."}));
    let mallorys = call(
        &app,
        "GET",
        "/users/me/sessions/",
        &format!("Bearer {mallory}"),
        None,
    )
    .await
    .json();
    assert_eq!(mallorys.as_array().unwrap().len(), 1);

    let ended = call(
        &app,
        "DELETE",
        &theirs,
        &format!("Bearer {laptop_access}"),
        None,
    )
    .await;
    assert_eq!(ended.status, 204, "{}", ended.text);
    app.refresh(&phone_refresh).await.expect(401, blacklisted());
    assert_eq!(
        app.refresh(&laptop_refresh).await.status,
        200,
        "the other session keeps refreshing"
    );
    let _ = phone_access;

    // An administrator ends the other one.
    let laptop_id = mine[0]["id"].as_i64().unwrap();
    let revoked = call(
        &app,
        "DELETE",
        &format!("/admin/sessions/{laptop_id}/"),
        &root,
        None,
    )
    .await;
    assert_eq!(revoked.status, 204);
    call(
        &app,
        "DELETE",
        &format!("/admin/sessions/{laptop_id}/"),
        &root,
        None,
    )
    .await
    .expect(404, json!({"detail": "Not found."}));
    let left = call(
        &app,
        "GET",
        &format!("/admin/users/{}/sessions/", alice.id),
        &root,
        None,
    )
    .await
    .json();
    assert_eq!(left, json!([]));
}

#[tokio::test]
async fn a_password_change_checks_the_old_one_applies_the_rules_and_ends_other_sessions() {
    let app = spawn_with(|s| s.languages = vec![jwtd_core::Lang::En, jwtd_core::Lang::Ru]).await;
    app.add_user("alice", "alice@example.com", "alice password 1", &[])
        .await;
    let (here_refresh, here) = app.login("alice", "alice password 1").await;
    let (there_refresh, _) = app.login("alice", "alice password 1").await;
    let auth = format!("Bearer {here}");
    let path = "/users/me/password/";
    let wrong = json!({"old_password": "nope", "new_password": "another long secret"});
    call(&app, "POST", path, &auth, Some(wrong.clone()))
        .await
        .expect(
            400,
            json!({
        "old_password": ["Your old password was entered incorrectly. Please enter it again."]}),
        );
    call_in(&app, "POST", path, &auth, Some(wrong), "ru")
        .await
        .expect(
            400,
            json!({
        "old_password": ["Ваш старый пароль введен неправильно. Пожалуйста, введите его снова."]}),
        );
    let weak = json!({"old_password": "alice password 1", "new_password": "alice"});
    call(&app, "POST", path, &auth, Some(weak.clone()))
        .await
        .expect(
            400,
            json!({"new_password": [
                "The password is too similar to the username.",
                "This password is too short. It must contain at least 8 characters.",
                "This password is too common.",
            ]}),
        );
    call_in(&app, "POST", path, &auth, Some(weak), "ru")
        .await
        .expect(
            400,
            json!({"new_password": [
                "Введённый пароль слишком похож на имя пользователя.",
                "Введённый пароль слишком короткий. Он должен состоять из как минимум 8 символов.",
                "Введённый пароль слишком широко распространён.",
            ]}),
        );
    for (password, en, ru) in [
        (
            "12345678",
            "This password is entirely numeric.",
            "Введённый пароль состоит только из цифр.",
        ),
        (
            "example.com",
            "The password is too similar to the email address.",
            "Введённый пароль слишком похож на адрес электронной почты.",
        ),
    ] {
        let body = json!({"old_password": "alice password 1", "new_password": password});
        for (lang, message) in [("en", en), ("ru", ru)] {
            let answer = call_in(&app, "POST", path, &auth, Some(body.clone()), lang).await;
            let messages = answer.json()["new_password"].clone();
            assert!(
                messages.as_array().unwrap().contains(&json!(message)),
                "{}",
                answer.text
            );
        }
    }
    let good = json!({"old_password": "alice password 1", "new_password": "a new long secret"});
    call(&app, "POST", path, &auth, Some(good))
        .await
        .expect(200, json!({}));
    app.refresh(&there_refresh).await.expect(401, blacklisted());
    assert_eq!(
        app.refresh(&here_refresh).await.status,
        200,
        "this session stays"
    );
    app.login("alice", "a new long secret").await;
    assert_eq!(
        app.post_json(
            "/token/",
            json!({"username": "alice", "password": "alice password 1"})
        )
        .await
        .status,
        401
    );
}

#[tokio::test]
async fn the_audit_log_names_actor_and_target_and_never_a_secret() {
    let app = spawn_with(|s| s.routes.set("register", "/register/")).await;
    app.add_user("root", "", "root password 1", &["admin"])
        .await;
    let (_, root) = app.login("root", "root password 1").await;
    let root = format!("Bearer {root}");
    let key = jwtd::api_key::generate();
    app.state
        .store
        .add_api_key(
            &jwtd_store::NewApiKey {
                name: "provisioning".into(),
                prefix: jwtd::api_key::prefix(&key),
                key_hash: jwtd::api_key::hash(&key),
                read_only: false,
            },
            0,
        )
        .await
        .unwrap();
    let bot = format!("Api-Key {key}");

    let registered = app.post_json("/register/", json!({"username": "newbie", "email": "n@example.com", "password": "newbie secret 123"})).await;
    assert_eq!(registered.status, 201, "{}", registered.text);
    let newbie = registered.json()["id"].as_i64().unwrap();
    let created = call(
        &app,
        "POST",
        "/admin/users/",
        &bot,
        Some(json!({"username": "carol", "password": "carol secret 123"})),
    )
    .await;
    let carol = created.json()["id"].as_i64().unwrap();
    call(
        &app,
        "PATCH",
        &format!("/admin/users/{carol}/"),
        &root,
        Some(json!({"roles": ["staff"]})),
    )
    .await;
    call(
        &app,
        "POST",
        &format!("/admin/users/{carol}/password/"),
        &root,
        Some(json!({"password": "carol secret 456"})),
    )
    .await
    .expect(200, json!({}));
    call(
        &app,
        "POST",
        &format!("/admin/users/{carol}/logout/"),
        &bot,
        None,
    )
    .await
    .expect(200, json!({}));
    let (_, carol_access) = app.login("carol", "carol secret 456").await;
    call(
        &app,
        "POST",
        "/users/me/password/",
        &format!("Bearer {carol_access}"),
        Some(json!({"old_password": "carol secret 456", "new_password": "carol secret 789"})),
    )
    .await
    .expect(200, json!({}));
    let deleted = call(
        &app,
        "DELETE",
        &format!("/admin/users/{newbie}/"),
        &bot,
        None,
    )
    .await;
    assert_eq!(deleted.status, 204);

    let audit = call(&app, "GET", "/admin/audit/?page_size=100", &root, None).await;
    let entries = audit.json()["results"].as_array().unwrap().clone();
    let actions: Vec<(String, String, Value)> = entries
        .iter()
        .rev()
        .map(|e| {
            (
                e["action"].as_str().unwrap().into(),
                e["actor"].as_str().unwrap().into(),
                e["target_user"].clone(),
            )
        })
        .collect();
    let root_id = app
        .state
        .store
        .user_by_username("root")
        .await
        .unwrap()
        .unwrap()
        .id;
    assert_eq!(
        actions,
        vec![
            (
                "user.registered".into(),
                format!("user:{newbie}"),
                json!(newbie)
            ),
            (
                "user.created".into(),
                "api-key:provisioning".into(),
                json!(carol)
            ),
            (
                "user.updated".into(),
                format!("user:{root_id}"),
                json!(carol)
            ),
            (
                "password.set".into(),
                format!("user:{root_id}"),
                json!(carol)
            ),
            (
                "user.logged_out_everywhere".into(),
                "api-key:provisioning".into(),
                json!(carol)
            ),
            (
                "password.changed".into(),
                format!("user:{carol}"),
                json!(carol)
            ),
            (
                "user.deleted".into(),
                "api-key:provisioning".into(),
                json!(newbie)
            ),
        ]
    );
    assert!(entries.iter().all(|e| e["ip_address"] == "127.0.0.1"
        && e["request_id"].as_str().is_some_and(|r| r.len() == 32)));
    for secret in [
        "carol secret",
        "newbie secret",
        "root password",
        key.as_str(),
    ] {
        assert!(
            !audit.text.contains(secret),
            "the audit log holds {secret:?}"
        );
    }
    let mine = call(
        &app,
        "GET",
        &format!("/admin/audit/?user={carol}&action=password.set"),
        &root,
        None,
    )
    .await
    .json();
    assert_eq!(mine["count"], 1);
    call(&app, "GET", "/admin/audit/?since=yesterday", &root, None)
        .await
        .expect(400, json!({"since": ["Enter a valid date/time."]}));
    let recent = call(
        &app,
        "GET",
        &format!("/admin/audit/?since={}", now() - 3600),
        &root,
        None,
    )
    .await
    .json();
    assert_eq!(recent["count"], 7);
}

#[tokio::test]
async fn reuse_detection_is_audited_as_jwtds_own_act() {
    let app = spawn_with(|s| {
        s.rotate_refresh_tokens = true;
        s.refresh_reuse_interval = std::time::Duration::ZERO;
    })
    .await;
    let alice = app.add_user("alice", "", "alice password 1", &[]).await;
    app.add_user("root", "", "root password 1", &["admin"])
        .await;
    let (refresh, _) = app.login("alice", "alice password 1").await;
    assert_eq!(app.refresh(&refresh).await.status, 200);
    app.refresh(&refresh).await.expect(401, blacklisted());
    let (_, root) = app.login("root", "root password 1").await;
    let audit = call(
        &app,
        "GET",
        "/admin/audit/?action=family.revoked",
        &format!("Bearer {root}"),
        None,
    )
    .await
    .json();
    assert_eq!(audit["count"], 1);
    assert_eq!(
        (
            &audit["results"][0]["actor"],
            &audit["results"][0]["target_user"]
        ),
        (&json!("jwtd"), &json!(alice.id))
    );
}

#[tokio::test]
async fn a_throttled_account_is_one_audit_entry_per_lock() {
    // A long first lock, so the attempts below fall in one lock however slow the machine.
    let app = spawn_with(|s| s.throttle.base_delay = std::time::Duration::from_secs(60)).await;
    let alice = app.add_user("alice", "", "alice password 1", &[]).await;
    app.add_user("root", "", "root password 1", &["admin"])
        .await;
    let (_, root) = app.login("root", "root password 1").await;
    let mut statuses = Vec::new();
    for _ in 0..10 {
        let body = json!({"username": "alice", "password": "wrong"});
        statuses.push(app.post_json("/token/", body).await.status);
    }
    assert!(
        statuses.iter().filter(|&&s| s == 429).count() >= 2,
        "{statuses:?}"
    );
    let audit = call(
        &app,
        "GET",
        "/admin/audit/?action=account.throttled",
        &format!("Bearer {root}"),
        None,
    )
    .await
    .json();
    assert_eq!(audit["count"], 1, "{audit}");
    assert_eq!(
        (
            &audit["results"][0]["actor"],
            &audit["results"][0]["target_user"]
        ),
        (&json!("jwtd"), &json!(alice.id))
    );
}

/// A real `jwtd serve` with JSON logs: admin calls carrying passwords and an API key leave
/// neither in the logs, and their log lines name the endpoint (also for `{id}` paths).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_calls_log_their_route_and_never_a_password_or_key() {
    let dir = tempfile::tempdir().unwrap();
    let database = match test_database().await {
        Some(url) => format!("database_url = {url:?}\n"),
        None => String::new(),
    };
    let config = dir.path().join("jwtd.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = {:?}\nbind = \"127.0.0.1:0\"\nsigning_key = {KEY:?}\nlog_format = \"json\"\n\
             {database}[hashing]\nmemory_kib = 64\niterations = 1\n",
            dir.path().join("data")
        ),
    )
    .unwrap();
    let cli = |args: &[&str]| {
        let mut all = vec![std::ffi::OsStr::new("--config"), config.as_os_str()];
        all.extend(args.iter().map(std::ffi::OsStr::new));
        run_jwtd(&all, &[], "")
    };
    let created = cli(&["api-key", "create", "ops"]);
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let key = String::from_utf8_lossy(&created.stdout).trim().to_owned();
    let jwtd = JwtdProcess::start(&config);
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let auth = format!("Api-Key {key}");
    let secret = "a-very-recognizable-admin-password-91";
    let user: Value = http
        .post(format!("{}/admin/users/", jwtd.base))
        .header("authorization", &auth)
        .json(&json!({"username": "dora", "password": secret}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = user["id"].as_i64().unwrap();
    let changed = http
        .post(format!("{}/admin/users/{id}/password/", jwtd.base))
        .header("authorization", &auth)
        .json(&json!({"password": format!("{secret}-2")}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let logs = jwtd.logs();
    let all = logs.join("\n");
    assert!(
        !all.contains(secret) && !all.contains(&key[5..]),
        "a secret in the logs: {all}"
    );
    let routes: Vec<String> = logs
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|l| l["target"] == "jwtd::request")
        .map(|l| l["route"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(routes, ["admin_users", "admin_user_password"]);
}

#[tokio::test]
async fn a_session_stays_current_across_rotations() {
    let app = spawn_with(|s| s.rotate_refresh_tokens = true).await;
    app.add_user("alice", "", "alice password 1", &[]).await;
    let (mut refresh, _) = app.login("alice", "alice password 1").await;
    app.login("alice", "alice password 1").await;
    let mut access = String::new();
    for _ in 0..3 {
        let body = app.refresh(&refresh).await.json();
        refresh = body["refresh"].as_str().unwrap().to_owned();
        access = body["access"].as_str().unwrap().to_owned();
    }
    let mine = call(
        &app,
        "GET",
        "/users/me/sessions/",
        &format!("Bearer {access}"),
        None,
    )
    .await
    .json();
    let current: Vec<bool> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["current"].as_bool().unwrap())
        .collect();
    assert_eq!(
        current,
        [false, true],
        "the first login's session, three rotations later: {mine}"
    );
}
