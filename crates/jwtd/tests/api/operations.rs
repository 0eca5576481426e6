//! Operations: structured request logs with request ids and no secrets, readiness, CORS.

use std::ffi::OsStr;
use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::*;

const PASSWORD: &str = "a-very-recognizable-password-77";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_have_a_line_per_request_and_never_a_secret() {
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
             rotate_refresh_tokens = true\n{database}[hashing]\nmemory_kib = 64\niterations = 1\n",
            dir.path().join("data")
        ),
    )
    .unwrap();
    let add = run_jwtd(
        &[
            OsStr::new("--config"),
            config.as_os_str(),
            OsStr::new("user"),
            OsStr::new("add"),
            OsStr::new("alice"),
        ],
        &[],
        &format!("{PASSWORD}\n"),
    );
    assert!(add.status.success());
    let jwtd = JwtdProcess::start(&config);
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = |path: &str| format!("{}{path}", jwtd.base);

    // A full cycle: login, refresh (rotating), verify, me, a failed login, blacklist.
    let login = http
        .post(url("/token/"))
        .header("x-request-id", "cycle-login-1")
        .json(&json!({"username": "alice", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.headers()["x-request-id"], "cycle-login-1");
    let pair: Value = login.json().await.unwrap();
    let refreshed: Value = http
        .post(url("/token/refresh/"))
        .json(&json!({"refresh": pair["refresh"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = pair["access"].as_str().unwrap();
    let me = http
        .get(url("/users/me/"))
        .bearer_auth(access)
        .header("x-request-id", "bad id with spaces")
        .send()
        .await
        .unwrap();
    let generated = me.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(generated.len(), 32, "an unusable id is replaced");
    for (path, body) in [
        ("/token/verify/", json!({"token": access})),
        (
            "/token/",
            json!({"username": "alice", "password": format!("{PASSWORD}-wrong")}),
        ),
        (
            "/token/blacklist/",
            json!({"refresh": refreshed["refresh"]}),
        ),
    ] {
        http.post(url(path)).json(&body).send().await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(200)).await;

    let logs = jwtd.logs();
    let lines: Vec<Value> = logs
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let requests: Vec<&Value> = lines
        .iter()
        .filter(|l| l["target"] == "jwtd::request")
        .collect();
    assert_eq!(requests.len(), 6, "one line per request: {logs:#?}");
    let first = requests[0];
    assert_eq!(first["method"], "POST");
    assert_eq!(first["route"], "token_obtain");
    assert_eq!(first["status"], 200);
    assert_eq!(first["request_id"], "cycle-login-1");
    assert_eq!(first["client_ip"], "127.0.0.1");
    assert!(first["latency_ms"].as_f64().unwrap() > 0.0);
    assert!(
        requests
            .iter()
            .any(|r| r["request_id"] == generated.as_str())
    );
    assert!(requests.iter().any(|r| r["status"] == 401));

    let tokens = [
        pair["refresh"].as_str().unwrap(),
        access,
        refreshed["refresh"].as_str().unwrap(),
        refreshed["access"].as_str().unwrap(),
    ];
    let all = logs.join("\n");
    assert!(!all.contains(PASSWORD), "a password in the logs");
    assert!(!all.contains(KEY), "the signing key in the logs");
    for token in tokens {
        for part in token.split('.') {
            assert!(!all.contains(part), "a token part in the logs: {part}");
        }
    }
}

#[tokio::test]
async fn readyz_reports_database_migrations_and_key() {
    let app = spawn_app().await;
    let ready = app.send(app.http.get(app.url("/readyz"))).await;
    ready.expect(
        200,
        json!({"status": "ready", "database": "ok", "migrations": "ok", "signing_key": "loaded"}),
    );
    let alive = app.send(app.http.get(app.url("/healthz"))).await;
    alive.expect(200, json!({"status": "ok", "database": "ok"}));
    app.state.store.close().await;
    let ready = app.send(app.http.get(app.url("/readyz"))).await;
    assert_eq!(ready.status, 503);
    let alive = app.send(app.http.get(app.url("/healthz"))).await;
    alive.expect(200, json!({"status": "ok", "database": "unreachable"}));
}

#[tokio::test]
async fn cors_is_off_by_default_and_answers_listed_origins() {
    let preflight = |app: &TestApp, origin: &str| {
        app.http
            .request(reqwest::Method::OPTIONS, app.url("/token/"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
    };
    let closed = spawn_app().await;
    let answer = closed
        .send(preflight(&closed, "https://app.example.com"))
        .await;
    assert_eq!(answer.header("access-control-allow-origin"), None);

    let open =
        spawn_with(|s| s.cors.allowed_origins = vec!["https://app.example.com".into()]).await;
    let answer = open.send(preflight(&open, "https://app.example.com")).await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert!(
        answer
            .header("access-control-allow-methods")
            .is_some_and(|m| m.contains("POST"))
    );
    let other = open
        .send(preflight(&open, "https://evil.example.com"))
        .await;
    assert_eq!(other.header("access-control-allow-origin"), None);
    // A real cross-origin call gets the header and still its SimpleJWT answer.
    let answer = open
        .send(
            open.http
                .post(open.url("/token/"))
                .header("origin", "https://app.example.com")
                .json(&json!({})),
        )
        .await;
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
}

/// The value of one sample line (`name{labels} value`) of a Prometheus text page.
fn sample(page: &str, series: &str) -> Option<f64> {
    page.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn metrics_count_what_happened() {
    let app = spawn_with(|s| {
        s.rotate_refresh_tokens = true;
        s.blacklist_after_rotation = true;
        s.refresh_reuse_interval = Duration::ZERO;
        s.throttle.account_failures = 2;
        s.throttle.base_delay = Duration::from_secs(60);
    })
    .await;
    app.add_user("alice", "", "pw", &[]).await;
    let (first, _) = app.login("alice", "pw").await;
    for _ in 0..2 {
        let answer = app
            .post_json("/token/", json!({"username": "bob", "password": "x"}))
            .await;
        assert_eq!(answer.status, 401);
    }
    let throttled = app
        .post_json("/token/", json!({"username": "bob", "password": "x"}))
        .await;
    assert_eq!(throttled.status, 429);
    let rotated = app.refresh(&first).await;
    assert_eq!(rotated.status, 200);
    let replayed = app.refresh(&first).await;
    assert_eq!(replayed.status, 401);

    let page = app.send(app.http.get(app.url("/metrics"))).await;
    assert_eq!(page.status, 200);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let m = |series: &str| sample(&page.text, series);
    assert_eq!(m("jwtd_logins_total{outcome=\"success\"}"), Some(1.0));
    assert_eq!(
        m("jwtd_logins_total{outcome=\"bad_credentials\"}"),
        Some(2.0)
    );
    assert_eq!(m("jwtd_logins_total{outcome=\"throttled\"}"), Some(1.0));
    assert_eq!(
        m("jwtd_http_requests_total{method=\"POST\",route=\"token_obtain\",status=\"401\"}"),
        Some(2.0)
    );
    assert_eq!(
        m("jwtd_http_requests_total{method=\"POST\",route=\"token_refresh\",status=\"200\"}"),
        Some(1.0)
    );
    assert_eq!(
        m("jwtd_http_request_duration_seconds_count{route=\"token_obtain\"}"),
        Some(4.0)
    );
    assert_eq!(m("jwtd_refresh_rotations_total"), Some(1.0));
    assert_eq!(m("jwtd_refresh_reuse_detections_total"), Some(1.0));
    // add_user's hash, the good login and the two bad ones; the throttled one hashed nothing.
    assert_eq!(m("jwtd_password_hash_seconds_count"), Some(4.0));
    assert_eq!(m("jwtd_hashing_in_flight"), Some(0.0));
    assert!(m("jwtd_db_pool_connections{state=\"idle\"}").is_some());

    let off = spawn_with(|s| s.metrics.enabled = false).await;
    assert_eq!(
        off.send(off.http.get(off.url("/metrics"))).await.status,
        404
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let apart = spawn_with(|s| s.metrics.bind = Some(port)).await;
    assert_eq!(
        apart
            .send(apart.http.get(apart.url("/metrics")))
            .await
            .status,
        404
    );
    let page = apart
        .http
        .get(format!("http://{port}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
}

#[tokio::test]
async fn openapi_describes_the_configured_deployment() {
    let app = spawn_with(|s| {
        s.login_field = jwtd_core::settings::LoginField::Email;
        s.routes.set("token_obtain", "/users/login/");
        s.routes.set("token_obtain_sliding", "/token/sliding/");
        s.auth_header_types = vec!["JWT".into()];
    })
    .await;
    let doc = app
        .send(app.http.get(app.url("/openapi.json")))
        .await
        .json();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for path in [
        "/users/login/",
        "/token/refresh/",
        "/token/verify/",
        "/token/blacklist/",
        "/token/sliding/",
        "/users/me/",
        "/users/me/logout-all/",
        "/healthz",
        "/readyz",
        "/metrics",
        "/openapi.json",
    ] {
        assert!(paths.contains(&path), "{path} missing from {paths:?}");
    }
    assert!(
        !paths.contains(&"/token/"),
        "the moved login path is not documented twice"
    );
    let login = &doc["paths"]["/users/login/"]["post"];
    let content = login["requestBody"]["content"].as_object().unwrap();
    assert_eq!(
        content.keys().collect::<Vec<_>>(),
        [
            "application/json",
            "application/x-www-form-urlencoded",
            "multipart/form-data"
        ]
    );
    for status in ["200", "400", "401", "405", "413", "415", "429", "503"] {
        let response = &login["responses"][status]["content"]["application/json"];
        assert!(response["schema"].is_object(), "{status}");
        assert!(response["example"].is_object(), "{status}");
    }
    let credentials = &doc["components"]["schemas"]["Credentials"];
    assert_eq!(credentials["required"], json!(["email", "password"]));
    assert_eq!(
        doc["components"]["securitySchemes"]["jwt"]["description"],
        "`<keyword> <access token>`; keywords: JWT"
    );
}
