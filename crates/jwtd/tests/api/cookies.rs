//! Cookie mode over HTTP: the cookies' exact attributes, refresh and logout by cookie under the
//! CSRF rule, the access cookie on protected routes, and the header flow untouched.

use serde_json::{Value, json};

use crate::helpers::*;

async fn cookie_app(configure: impl FnOnce(&mut jwtd_core::Settings)) -> TestApp {
    let app = spawn_with(|s| {
        s.cookies.enabled = true;
        s.cookies.access = Some("jwtd_access".into());
        s.rotate_refresh_tokens = true;
        s.languages = vec![jwtd_core::Lang::En, jwtd_core::Lang::Ru];
        configure(s);
    })
    .await;
    app.add_user("alice", "", "alice password 1", &[]).await;
    app
}

/// The `Set-Cookie` headers of an answer.
fn set_cookies(answer: &Answer) -> Vec<String> {
    answer
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// A cookie's value from `Set-Cookie` headers.
fn value<'a>(cookies: &'a [String], name: &str) -> &'a str {
    let prefix = format!("{name}=");
    let cookie = cookies
        .iter()
        .find(|c| c.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no {name} in {cookies:?}"));
    cookie[prefix.len()..].split(';').next().unwrap()
}

/// A browser's session: the cookies the last answers set, sent back as a `Cookie` header.
struct Browser {
    refresh: String,
    access: String,
    csrf: String,
}

impl Browser {
    fn from(cookies: &[String]) -> Browser {
        Browser {
            refresh: value(cookies, "jwtd_refresh").to_owned(),
            access: value(cookies, "jwtd_access").to_owned(),
            csrf: value(cookies, "csrftoken").to_owned(),
        }
    }

    fn cookie_header(&self) -> String {
        format!(
            "jwtd_refresh={}; jwtd_access={}; csrftoken={}",
            self.refresh, self.access, self.csrf
        )
    }
}

async fn login(app: &TestApp) -> (Answer, Browser) {
    let answer = app
        .post_json(
            "/token/",
            json!({"username": "alice", "password": "alice password 1"}),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let browser = Browser::from(&set_cookies(&answer));
    (answer, browser)
}

/// A POST the way a browser page sends it with `credentials: "include"`.
async fn post(app: &TestApp, path: &str, cookies: &str, extra: &[(&str, &str)]) -> Answer {
    let mut request = app.http.post(app.url(path)).header("cookie", cookies);
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    app.send(request).await
}

#[tokio::test]
async fn login_sets_httponly_cookies_scoped_to_their_routes() {
    let app = cookie_app(|_| {}).await;
    let (answer, browser) = login(&app).await;
    let body = answer.json();
    assert_eq!(
        key_order(body.as_object().unwrap()),
        ["access"],
        "the refresh token stays out of the body"
    );
    let cookies = set_cookies(&answer);
    assert_eq!(
        cookies,
        [
            format!(
                "jwtd_refresh={}; HttpOnly; SameSite=Lax; Secure; Path=/token/; Max-Age=86400",
                browser.refresh
            ),
            format!(
                "jwtd_access={}; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=300",
                browser.access
            ),
            format!(
                "csrftoken={}; SameSite=Lax; Secure; Path=/; Max-Age=86400",
                browser.csrf
            ),
        ]
    );
    assert_eq!(token_part(&browser.refresh, 1)["token_type"], "refresh");
    assert_eq!(body["access"], json!(browser.access));

    let strict = cookie_app(|s| {
        s.cookies.samesite = jwtd_core::settings::SameSite::Strict;
        s.cookies.host_prefix = true;
        s.cookies.refresh_in_body = true;
        s.cookies.access = None;
    })
    .await;
    let answer = strict
        .post_json(
            "/token/",
            json!({"username": "alice", "password": "alice password 1"}),
        )
        .await;
    let cookies = set_cookies(&answer);
    let refresh = value(&cookies, "__Host-jwtd_refresh");
    assert_eq!(answer.json()["refresh"], json!(refresh), "refresh_in_body");
    assert_eq!(cookies.len(), 2, "no access cookie: {cookies:?}");
    assert_eq!(
        cookies[0],
        format!(
            "__Host-jwtd_refresh={refresh}; HttpOnly; SameSite=Strict; Secure; Path=/; Max-Age=86400"
        )
    );
    assert!(
        cookies[1].starts_with("__Host-csrftoken=")
            && cookies[1].ends_with("; SameSite=Strict; Secure; Path=/; Max-Age=86400")
    );
}

#[tokio::test]
async fn refresh_and_logout_by_cookie_need_the_csrf_token_of_their_session() {
    let app = cookie_app(|_| {}).await;
    let (_, tab) = login(&app).await;
    let (_, other) = login(&app).await;
    let origin = ("origin", app.base.as_str());
    let header = |b: &Browser| b.csrf.clone();

    // Refused, in Django's words (DRF's "CSRF Failed: …"), before anything changes.
    let missing = post(&app, "/token/refresh/", &tab.cookie_header(), &[origin]).await;
    missing.expect(403, json!({"detail": "CSRF Failed: CSRF token missing."}));
    let wrong = post(
        &app,
        "/token/refresh/",
        &tab.cookie_header(),
        &[("x-csrftoken", "nope")],
    )
    .await;
    wrong.expect(
        403,
        json!({"detail": "CSRF Failed: CSRF token from the 'X-Csrftoken' HTTP header incorrect."}),
    );
    // Another session's token, even double-submitted, is not this session's.
    let swapped = format!("jwtd_refresh={}; csrftoken={}", tab.refresh, other.csrf);
    let foreign = post(
        &app,
        "/token/refresh/",
        &swapped,
        &[("x-csrftoken", &other.csrf)],
    )
    .await;
    assert_eq!(foreign.status, 403, "{}", foreign.text);
    let no_cookie = format!("jwtd_refresh={}", tab.refresh);
    post(
        &app,
        "/token/refresh/",
        &no_cookie,
        &[("x-csrftoken", &tab.csrf)],
    )
    .await
    .expect(403, json!({"detail": "CSRF Failed: CSRF cookie not set."}));
    let csrf = header(&tab);
    let cross = post(
        &app,
        "/token/refresh/",
        &tab.cookie_header(),
        &[("x-csrftoken", &csrf), ("sec-fetch-site", "cross-site")],
    )
    .await;
    cross.expect(
        403,
        json!({"detail": "CSRF Failed: Cross-site request refused."}),
    );
    let evil = post(
        &app,
        "/token/refresh/",
        &tab.cookie_header(),
        &[("x-csrftoken", &csrf), ("origin", "http://evil.example")],
    )
    .await;
    evil.expect(403, json!({"detail": "CSRF Failed: Origin checking failed - http://evil.example does not match any trusted origins."}));
    let ru = post(
        &app,
        "/token/refresh/",
        &tab.cookie_header(),
        &[("accept-language", "ru")],
    )
    .await;
    ru.expect(
        403,
        json!({"detail": "Ошибка CSRF: отсутствует токен CSRF."}),
    );

    // Accepted from the site itself; the rotated refresh token arrives as a cookie only.
    let host = app.base.trim_start_matches("http://").to_owned();
    let site_origin = format!("http://{host}");
    let refreshed = post(
        &app,
        "/token/refresh/",
        &tab.cookie_header(),
        &[
            ("x-csrftoken", &csrf),
            ("origin", &site_origin),
            ("sec-fetch-site", "same-origin"),
        ],
    )
    .await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.text);
    assert_eq!(key_order(refreshed.json().as_object().unwrap()), ["access"]);
    let rotated = Browser::from(&set_cookies(&refreshed));
    assert_ne!(rotated.refresh, tab.refresh);
    // The first token was used up: its family lives on in the rotated one.
    app.refresh(&tab.refresh)
        .await
        .expect(401, token_not_valid("Token is blacklisted"));
    // A header-flow client is unaffected: a body token needs no CSRF token.
    let (_, third) = login(&app).await;
    let by_body = app.refresh(&third.refresh).await;
    assert_eq!(by_body.status, 200);
    assert!(
        by_body.json()["refresh"].is_string(),
        "a body token gets its successor in the body"
    );

    // Logout: refused without the token; with it, the token is blacklisted and the cookies go.
    post(&app, "/token/logout/", &rotated.cookie_header(), &[])
        .await
        .expect(403, json!({"detail": "CSRF Failed: CSRF token missing."}));
    let out = post(
        &app,
        "/token/logout/",
        &rotated.cookie_header(),
        &[("x-csrftoken", &rotated.csrf)],
    )
    .await;
    out.expect(200, json!({}));
    assert_eq!(
        set_cookies(&out),
        [
            "jwtd_refresh=; HttpOnly; SameSite=Lax; Secure; Path=/token/; Max-Age=0",
            "jwtd_access=; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=0",
            "csrftoken=; SameSite=Lax; Secure; Path=/; Max-Age=0",
        ]
    );
    app.refresh(&rotated.refresh)
        .await
        .expect(401, token_not_valid("Token is blacklisted"));
    // Without a cookie there is nothing to protect: the cookies are cleared all the same —
    // but never for a cross-site page (it would log the browser out).
    app.post_json("/token/logout/", json!({}))
        .await
        .expect(200, json!({}));
    let cross = post(
        &app,
        "/token/logout/",
        "",
        &[
            ("sec-fetch-site", "cross-site"),
            ("origin", "http://evil.example"),
        ],
    )
    .await;
    cross.expect(
        403,
        json!({"detail": "CSRF Failed: Cross-site request refused."}),
    );
    assert!(set_cookies(&cross).is_empty());
}

#[tokio::test]
async fn protected_routes_take_the_access_cookie_and_a_header_wins() {
    let app = cookie_app(|s| s.cors.allowed_origins = vec!["https://app.example".into()]).await;
    let (_, browser) = login(&app).await;
    let me = app
        .send(
            app.http
                .get(app.url("/users/me/"))
                .header("cookie", browser.cookie_header()),
        )
        .await;
    assert_eq!(
        (me.status, me.json()["username"].clone()),
        (200, json!("alice")),
        "{}",
        me.text
    );
    let garbage = app
        .send(
            app.http
                .get(app.url("/users/me/"))
                .header("cookie", browser.cookie_header())
                .header("authorization", "Bearer garbage"),
        )
        .await;
    assert_eq!(garbage.status, 401, "the header wins");
    // A state-changing request by cookie needs the CSRF token; a listed CORS origin may send it.
    let path = "/users/me/logout-all/";
    post(&app, path, &browser.cookie_header(), &[])
        .await
        .expect(403, json!({"detail": "CSRF Failed: CSRF token missing."}));
    let done = post(
        &app,
        path,
        &browser.cookie_header(),
        &[
            ("x-csrftoken", &browser.csrf),
            ("origin", "https://app.example"),
        ],
    )
    .await;
    done.expect(200, json!({}));
    // CORS: credentials allowed for the listed origin, and the CSRF header may be sent.
    let preflight = app
        .send(
            app.http
                .request(reqwest::Method::OPTIONS, app.url("/token/refresh/"))
                .header("origin", "https://app.example")
                .header("access-control-request-method", "POST")
                .header(
                    "access-control-request-headers",
                    "x-csrftoken, content-type",
                ),
        )
        .await;
    assert_eq!(
        preflight.header("access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    assert!(
        preflight
            .header("access-control-allow-headers")
            .unwrap()
            .to_lowercase()
            .contains("x-csrftoken")
    );
}

#[tokio::test]
async fn two_tabs_refreshing_at_once_both_stay_logged_in() {
    let app = cookie_app(|_| {}).await;
    let (_, browser) = login(&app).await;
    let jar = browser.cookie_header();
    let headers = [("x-csrftoken", browser.csrf.as_str())];
    let (a, b) = tokio::join!(
        post(&app, "/token/refresh/", &jar, &headers),
        post(&app, "/token/refresh/", &jar, &headers)
    );
    let mut answers = [a, b];
    answers.sort_by_key(|a| a.status);
    assert_eq!(answers[0].status, 200, "{}", answers[0].text);
    // The race's loser is only refused (inside refresh_reuse_interval), not a reuse: the
    // session lives on, and the shared cookie jar now holds the winner's token.
    if answers[1].status != 200 {
        answers[1].expect(401, token_not_valid("Token is blacklisted"));
    }
    let jar = Browser::from(&set_cookies(&answers[0]));
    let next = post(
        &app,
        "/token/refresh/",
        &jar.cookie_header(),
        &[("x-csrftoken", &jar.csrf)],
    )
    .await;
    assert_eq!(
        next.status, 200,
        "the losing tab refreshes with the shared jar: {}",
        next.text
    );
    let _: Value = next.json();
}

#[tokio::test]
async fn settings_refuse_unsafe_cookie_combinations() {
    let base = || {
        let mut s = jwtd_core::Settings::default();
        s.cookies.enabled = true;
        s
    };
    let mut s = base();
    s.cookies.secure = false;
    s.cookies.samesite = jwtd_core::settings::SameSite::None;
    assert_eq!(s.validate().unwrap_err().key, "cookies.samesite");
    let mut s = base();
    s.cookies.host_prefix = true;
    s.cookies.domain = Some("example.com".into());
    assert_eq!(s.validate().unwrap_err().key, "cookies.host_prefix");
    let mut s = base();
    s.cors.allowed_origins = vec!["*".into()];
    assert_eq!(s.validate().unwrap_err().key, "cors.allowed_origins");
    let mut s = base();
    s.cookies.refresh = "bad name".into();
    assert_eq!(s.validate().unwrap_err().key, "cookies.refresh");
}
