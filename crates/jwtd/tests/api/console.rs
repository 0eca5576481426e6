//! The admin console without a browser: who gets in (admins only, not cross-site), what is
//! closed without a sign-in, the console's cookies and their CSRF rule, and the key set and
//! activity endpoints of the admin API the console draws.

use jwtd_core::keys::Algorithm;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::keys::key_set;

const ROOT_PASSWORD: &str = "the root console password";

async fn console_app(configure: impl FnOnce(&mut jwtd_core::Settings)) -> TestApp {
    console_app_at(configure, jwtd_core::Clock::system()).await
}

async fn console_app_at(
    configure: impl FnOnce(&mut jwtd_core::Settings),
    clock: jwtd_core::Clock,
) -> TestApp {
    let app = spawn_with_clock(configure, clock).await;
    app.add_user("root", "root@example.com", ROOT_PASSWORD, &["admin"])
        .await;
    app.add_user("ivan", "ivan@example.ru", "ivan's password 1", &[])
        .await;
    app
}

/// A client that shows redirects instead of following them.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The console's cookies after a sign-in, as one `Cookie` header, and the CSRF token.
async fn sign_in(app: &TestApp) -> (String, String) {
    let answer = app
        .send(
            browser()
                .post(app.url("/admin/signin/"))
                .json(&json!({"username": "root", "password": ROOT_PASSWORD})),
        )
        .await;
    answer.expect(200, json!({}));
    let mut jar = Vec::new();
    let mut csrf = String::new();
    for set in answer.headers.get_all("set-cookie") {
        let pair = set.to_str().unwrap().split(';').next().unwrap().to_owned();
        if let Some(token) = pair.strip_prefix("jwtd_console_csrf=") {
            csrf = token.to_owned();
        }
        jar.push(pair);
    }
    (jar.join("; "), csrf)
}

async fn with_cookies(
    app: &TestApp,
    method: &str,
    path: &str,
    cookies: &str,
    csrf: Option<&str>,
    body: Option<Value>,
) -> Answer {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = browser()
        .request(method, app.url(path))
        .header("cookie", cookies);
    if let Some(token) = csrf {
        request = request.header("x-csrftoken", token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    app.send(request).await
}

#[tokio::test]
async fn without_a_sign_in_every_page_redirects_and_every_action_is_refused() {
    let app = console_app(|_| {}).await;
    let page = app.send(browser().get(app.url("/admin/"))).await;
    assert_eq!(page.status, 302);
    assert_eq!(page.header("location"), Some("/admin/signin/"));
    let signin = app.send(browser().get(app.url("/admin/signin/"))).await;
    assert_eq!(signin.status, 200);
    assert!(signin.text.contains("\"screen\":\"signin\""));
    let csp = signin.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));
    for asset in ["console.js", "console.css"] {
        let answer = app
            .send(browser().get(app.url(&format!("/admin/assets/{asset}"))))
            .await;
        assert_eq!(answer.status, 200, "{asset}");
    }
    // Every action the console takes, with no cookie: nothing happens.
    let actions: &[(&str, &str)] = &[
        ("GET", "/admin/users/"),
        ("POST", "/admin/users/"),
        ("GET", "/admin/users/1/"),
        ("PATCH", "/admin/users/1/"),
        ("DELETE", "/admin/users/1/"),
        ("POST", "/admin/users/1/password/"),
        ("POST", "/admin/users/1/logout/"),
        ("GET", "/admin/users/1/sessions/"),
        ("DELETE", "/admin/sessions/1/"),
        ("GET", "/admin/keys/"),
        ("POST", "/admin/keys/"),
        ("POST", "/admin/keys/rotate/"),
        ("POST", "/admin/keys/kid/retire/"),
        ("GET", "/admin/activity/"),
        ("GET", "/admin/audit/"),
    ];
    let body = json!({"username": "x", "password": "Some password 1", "email": "x@example.com"});
    for (method, path) in actions {
        let answer = with_cookies(&app, method, path, "", None, Some(body.clone())).await;
        assert_eq!(answer.status, 401, "{method} {path}: {}", answer.text);
    }
    // The console's own actions: Django's 403 for a POST without its CSRF cookie.
    for path in ["/admin/refresh/", "/admin/signout/"] {
        let answer = with_cookies(&app, "POST", path, "", None, None).await;
        answer.expect(403, json!({"detail": "CSRF Failed: CSRF cookie not set."}));
        assert!(answer.header("set-cookie").is_none(), "{path}");
    }
    assert!(
        app.state
            .store
            .user_by_username("x")
            .await
            .unwrap()
            .is_none()
    );
    assert!(app.state.store.user_by_id(1).await.unwrap().is_some());
}

#[tokio::test]
async fn only_an_administrator_signs_in_and_never_from_another_site() {
    let app = console_app(|_| {}).await;
    let attempt = |body: Value, site: Option<&'static str>| {
        let mut request = browser().post(app.url("/admin/signin/")).json(&body);
        if let Some(site) = site {
            request = request.header("sec-fetch-site", site);
        }
        app.send(request)
    };
    let plain = attempt(
        json!({"username": "ivan", "password": "ivan's password 1"}),
        None,
    )
    .await;
    plain.expect(
        403,
        json!({"detail": "You do not have permission to perform this action."}),
    );
    assert!(plain.header("set-cookie").is_none());
    let wrong = attempt(json!({"username": "root", "password": "guess"}), None).await;
    wrong.expect(
        401,
        json!({"detail": "No active account found with the given credentials"}),
    );
    let cross = attempt(
        json!({"username": "root", "password": ROOT_PASSWORD}),
        Some("cross-site"),
    )
    .await;
    cross.expect(
        403,
        json!({"detail": "CSRF Failed: Cross-site request refused."}),
    );
    assert!(cross.header("set-cookie").is_none());

    let (cookies, csrf) = sign_in(&app).await;
    assert!(cookies.contains("jwtd_console_refresh=") && cookies.contains("jwtd_console_access="));
    let page = with_cookies(&app, "GET", "/admin/", &cookies, None, None).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("\"username\":\"root\""));
    // The console's cookie authenticates the admin API; a write needs the CSRF header.
    let users = with_cookies(&app, "GET", "/admin/users/", &cookies, None, None).await;
    assert_eq!(users.json()["count"], 2);
    let new = json!({"username": "zoe", "password": "Zoe's password 11"});
    let forged = with_cookies(
        &app,
        "POST",
        "/admin/users/",
        &cookies,
        None,
        Some(new.clone()),
    )
    .await;
    forged.expect(403, json!({"detail": "CSRF Failed: CSRF token missing."}));
    let made = with_cookies(
        &app,
        "POST",
        "/admin/users/",
        &cookies,
        Some(&csrf),
        Some(new),
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.text);
    // A demoted administrator's cookies open nothing any more.
    let root = app
        .state
        .store
        .user_by_username("root")
        .await
        .unwrap()
        .unwrap();
    let demote = jwtd_store::UserChanges {
        roles: Some(vec![]),
        ..Default::default()
    };
    app.state.store.update_user(root.id, &demote).await.unwrap();
    let page = with_cookies(&app, "GET", "/admin/", &cookies, None, None).await;
    assert_eq!(page.status, 302);
    let users = with_cookies(&app, "GET", "/admin/users/", &cookies, None, None).await;
    assert_eq!(users.status, 403);
}

#[tokio::test]
async fn signing_out_ends_the_console_session() {
    let app = console_app(|_| {}).await;
    let (cookies, csrf) = sign_in(&app).await;
    let refreshed =
        with_cookies(&app, "POST", "/admin/refresh/", &cookies, Some(&csrf), None).await;
    refreshed.expect(200, json!({}));
    assert!(refreshed.header("set-cookie").is_some());
    let no_csrf = with_cookies(&app, "POST", "/admin/signout/", &cookies, None, None).await;
    assert_eq!(no_csrf.status, 403);
    let out = with_cookies(&app, "POST", "/admin/signout/", &cookies, Some(&csrf), None).await;
    out.expect(200, json!({}));
    let expired: Vec<_> = out.headers.get_all("set-cookie").iter().collect();
    assert_eq!(expired.len(), 3);
    assert!(
        expired
            .iter()
            .all(|c| c.to_str().unwrap().contains("Max-Age=0"))
    );
    // The old refresh cookie no longer opens the console.
    let page = with_cookies(&app, "GET", "/admin/", &cookies, None, None).await;
    assert_eq!(page.status, 302);
}

#[tokio::test]
async fn the_console_can_be_switched_off_and_its_page_speaks_russian() {
    let off = console_app(|s| s.console.enabled = Some(false)).await;
    assert_eq!(
        off.send(browser().get(off.url("/admin/"))).await.status,
        404
    );
    assert_eq!(
        off.send(browser().get(off.url("/admin/signin/")))
            .await
            .status,
        404
    );
    let (_, admin_access) = off.login("root", ROOT_PASSWORD).await;
    let users = off
        .get_with_auth("/admin/users/", &format!("Bearer {admin_access}"))
        .await;
    assert_eq!(users.status, 200, "the admin API stays on");

    let app = console_app(|_| {}).await;
    let ru = app
        .send(
            browser()
                .get(app.url("/admin/signin/"))
                .header("accept-language", "ru-RU,ru;q=0.9"),
        )
        .await;
    assert!(ru.text.contains("<html lang=\"ru\">"));
    assert!(ru.text.contains("Вход в консоль jwtd"));
    let switched = app
        .send(
            browser()
                .get(app.url("/admin/signin/"))
                .header("accept-language", "ru")
                .header("cookie", "jwtd_console_lang=en"),
        )
        .await;
    assert!(switched.text.contains("<html lang=\"en\">"));
}

#[tokio::test]
async fn the_key_set_is_managed_over_the_admin_api() {
    // A clock that stands still: the time left before the publish delay is exact.
    let clock = clock_in_this_second(0);
    let app = console_app_at(
        |s| {
            key_set(s, Algorithm::ES256);
            s.languages = vec![jwtd_core::Lang::En, jwtd_core::Lang::Ru];
        },
        clock,
    )
    .await;
    let (_, access) = app.login("root", ROOT_PASSWORD).await;
    let auth = format!("Bearer {access}");
    let call = |method: &'static str, path: &'static str, body: Value, lang: &'static str| {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        app.send(
            app.http
                .request(method, app.url(path))
                .header("authorization", auth.clone())
                .header("accept-language", lang)
                .json(&body),
        )
    };
    let listed = call("GET", "/admin/keys/", json!(null), "en").await.json();
    assert_eq!(listed["managed"], true);
    assert_eq!(listed["publish_delay"], 600);
    assert_eq!(listed["keys"][0]["state"], "current");
    let first = listed["keys"][0]["kid"].as_str().unwrap().to_owned();

    call("POST", "/admin/keys/", json!({"algorithm": "HS512"}), "en")
        .await
        .expect(
            400,
            json!({"algorithm": ["HS512 signs with a shared secret, which is never published; choose an asymmetric algorithm."]}),
        );
    call("POST", "/admin/keys/", json!({"algorithm": "XS1"}), "ru")
        .await
        .expect(
            400,
            json!({"algorithm": ["Значения XS1 нет среди допустимых вариантов."]}),
        );
    let made = call("POST", "/admin/keys/", json!({"algorithm": "EdDSA"}), "en").await;
    assert_eq!(made.status, 201, "{}", made.text);
    assert_eq!(
        (
            made.json()["state"].as_str(),
            made.json()["algorithm"].as_str()
        ),
        (Some("next"), Some("EdDSA"))
    );
    let next = made.json()["kid"].as_str().unwrap().to_owned();
    let early = call("POST", "/admin/keys/rotate/", json!({}), "ru").await;
    assert_eq!(early.status, 409);
    let wait = early.json()["detail"].as_str().unwrap().to_owned();
    assert!(
        wait.contains("Подождите 600 секунд или"),
        "Russian plural: {wait}"
    );
    let rotated = call("POST", "/admin/keys/rotate/", json!({"now": true}), "en").await;
    rotated.expect(
        200,
        json!({"current": next, "retired": first, "next": null, "ready_at": null}),
    );
    // This instance signs with the new key at once (the admin API woke its key reader).
    let mut signed_by_next = false;
    for _ in 0..100 {
        let (_, fresh) = app.login("ivan", "ivan's password 1").await;
        if crate::keys::header(&fresh)["kid"] == next.as_str() {
            signed_by_next = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(signed_by_next, "the instance still signs with the old key");

    let path = |kid: &str| Box::leak(format!("/admin/keys/{kid}/retire/").into_boxed_str()) as &str;
    call("POST", path(&next), json!({}), "en").await.expect(
        409,
        json!({"detail": "This key signs new tokens: rotate to another key first."}),
    );
    call("POST", path(&first), json!({}), "en").await.expect(
        409,
        json!({"detail": "This key is already retired and leaves the key set once its tokens expire; revoke it to refuse them now."}),
    );
    call("POST", path("no-such-kid"), json!({}), "en")
        .await
        .expect(404, json!({"detail": "Not found."}));
    // Without a next key a rotation prepares one (202).
    let prepared = call("POST", "/admin/keys/rotate/", json!({}), "en").await;
    assert_eq!(prepared.status, 202, "{}", prepared.text);
    assert!(prepared.json()["next"].is_string());
    let audit = app
        .get_with_auth("/admin/audit/?action=key.rotated", &auth)
        .await;
    assert_eq!(audit.json()["count"], 1);
    assert_eq!(audit.json()["results"][0]["actor"], "user:1");
    // Revoking the retired key refuses what it signed at once: this very access token too.
    call("POST", path(&first), json!({"revoke": true}), "en")
        .await
        .expect(200, json!({}));
    let refused = call("GET", "/admin/keys/", json!(null), "en").await;
    assert_eq!(refused.status, 401);
    let (_, fresh) = app.login("root", ROOT_PASSWORD).await;
    let left = app
        .get_with_auth("/admin/keys/", &format!("Bearer {fresh}"))
        .await
        .json();
    let mut states: Vec<_> = left["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["state"].as_str().unwrap().to_owned())
        .collect();
    states.sort();
    assert_eq!(states, ["current", "next"]);
}

#[tokio::test]
async fn an_hs_deployment_has_no_key_set_to_manage() {
    let app = console_app(|_| {}).await;
    let (_, access) = app.login("root", ROOT_PASSWORD).await;
    let auth = format!("Bearer {access}");
    let listed = app.get_with_auth("/admin/keys/", &auth).await;
    listed.expect(
        200,
        json!({"managed": false, "algorithm": "HS256", "publish_delay": 600, "keys": []}),
    );
    let made = app
        .send(
            app.http
                .post(app.url("/admin/keys/rotate/"))
                .header("authorization", &auth)
                .json(&json!({})),
        )
        .await;
    made.expect(
        409,
        json!({"detail": "This deployment does not sign with a key set (that needs an asymmetric algorithm without signing_key)."}),
    );
}

#[tokio::test]
async fn activity_counts_the_last_hour_by_minute() {
    let app = console_app(|_| {}).await;
    let (_, access) = app.login("root", ROOT_PASSWORD).await;
    app.login("ivan", "ivan's password 1").await;
    let failed = app
        .post_json("/token/", json!({"username": "ivan", "password": "wrong"}))
        .await;
    assert_eq!(failed.status, 401);
    let answer = app
        .get_with_auth("/admin/activity/", &format!("Bearer {access}"))
        .await;
    let minutes = answer.json()["minutes"].as_array().unwrap().clone();
    assert_eq!(minutes.len(), 60);
    let total = |key: &str| {
        minutes
            .iter()
            .map(|m| m[key].as_u64().unwrap())
            .sum::<u64>()
    };
    assert_eq!((total("logins"), total("failed_logins")), (2, 1));
    assert_eq!((total("throttled"), total("reuse_detections")), (0, 0));
    let last = minutes.last().unwrap()["start"].as_i64().unwrap();
    assert!(now() - last < 60 && last % 60 == 0);
}
