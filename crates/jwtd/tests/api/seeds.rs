//! The two seed deployments, run from their example configuration files: with jwtd's own
//! users, and once more beside a live Django site whose users jwtd serves in place (the
//! Django-database mode).

use std::sync::Arc;

use jwtd::config::{Overrides, load};
use serde_json::json;

use crate::django_mode::{create_in_django, django_mode, wait_until_ready};
use crate::django_site::{Backend, DjangoSite};
use crate::helpers::*;

/// Where a seed's users live.
enum Users {
    /// jwtd's own store.
    Own,
    /// A live Django site's database.
    Django(DjangoSite),
}

impl Users {
    /// A site for `example`'s deployment: the exchanger logs in by email (an email-login user
    /// model), platzigram by username (Django's own).
    async fn django(example: &str) -> Users {
        let model = if example == "exchanger" {
            "email"
        } else {
            "auth"
        };
        let site = DjangoSite::new(model, Backend::Sqlite).await;
        site.fixture("create");
        Users::Django(site)
    }

    async fn add(&self, app: &TestApp, username: &str, email: &str, password: &str) {
        match self {
            Users::Own => {
                app.add_user(username, email, password, &[]).await;
            }
            Users::Django(site) => {
                create_in_django(site, username, password, email);
            }
        }
    }
}

/// `cookies`: with cookie mode on (the refresh token still in the body), which must leave the
/// header flow byte for byte as it is.
async fn spawn_example(name: &str, users: &Users, cookies: bool) -> TestApp {
    let path = format!("{}/../../examples/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    let example =
        load(Some(std::path::Path::new(&path)), &Overrides::default()).expect("example loads");
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let base = test_settings(dir.path());
    let settings = jwtd_core::Settings {
        signing_key: base.signing_key,
        data_dir: base.data_dir,
        bind: base.bind,
        hashing: base.hashing,
        ..example
    };
    let mut settings = settings;
    settings.cookies.enabled = cookies;
    settings.cookies.refresh_in_body = true;
    settings.cookies.access = Some("access".into());
    if let Users::Django(site) = users {
        django_mode(&mut settings, site);
    }
    let app = spawn_in(dir, settings, jwtd_core::Clock::system()).await;
    if let Users::Django(_) = users {
        wait_until_ready(&app).await;
    }
    app
}

#[tokio::test]
async fn exchanger_reproduces_seed_000() {
    exchanger_seed_000(Users::Own, false).await;
}

#[tokio::test]
async fn exchanger_reproduces_seed_000_in_cookie_mode() {
    exchanger_seed_000(Users::Own, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(django_tests),
    ignore = "needs Django: DJANGO_TEST_PYTHON=$(.ci/django-venv) (bash .ci/run does)"
)]
async fn exchanger_reproduces_seed_000_beside_a_django_site() {
    exchanger_seed_000(Users::django("exchanger").await, false).await;
}

async fn exchanger_seed_000(users: Users, cookies: bool) {
    let app = spawn_example("exchanger", &users, cookies).await;
    users.add(&app, "ivan", "ivan@example.ru", "пароль").await;
    app.post_json("/token/", json!({})).await.expect(
        400,
        json!({"email": ["Обязательное поле."], "password": ["Обязательное поле."]}),
    );
    app.post_json(
        "/token/",
        json!({"email": "ivan@example.ru", "password": "нет"}),
    )
    .await
    .expect(
        401,
        json!({"detail": "Не найдено активной учетной записи с указанными данными"}),
    );
    let answer = app
        .post_json(
            "/token/",
            json!({"email": "Ivan@Example.ru", "password": "пароль"}),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let body = answer.json();
    for (token, lifetime) in [
        (body["refresh"].as_str().unwrap(), 86400),
        (body["access"].as_str().unwrap(), 60),
    ] {
        let claims = token_part(token, 1);
        let names = key_order(&claims);
        assert_eq!(names, CLAIMS_WITH_ROLES_AND_IP);
        assert_eq!(
            claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
            lifetime
        );
        assert_eq!(claims["roles"], json!([]));
    }
    // Both keywords work; English on request.
    let access = body["access"].as_str().unwrap();
    assert_eq!(
        app.get_with_auth("/users/me/", &format!("JWT {access}"))
            .await
            .status,
        200
    );
    assert_eq!(
        app.get_with_auth("/users/me/", &format!("Bearer {access}"))
            .await
            .status,
        200
    );
    let english = app
        .send(
            app.http
                .post(app.url("/token/"))
                .header("accept-language", "en-US,en;q=0.9")
                .json(&json!({})),
        )
        .await;
    english.expect(
        400,
        json!({"email": ["This field is required."], "password": ["This field is required."]}),
    );
}

#[tokio::test]
async fn platzigram_reproduces_seed_003() {
    platzigram_seed_003(Users::Own, false).await;
}

#[tokio::test]
async fn platzigram_reproduces_seed_003_in_cookie_mode() {
    platzigram_seed_003(Users::Own, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(django_tests),
    ignore = "needs Django: DJANGO_TEST_PYTHON=$(.ci/django-venv) (bash .ci/run does)"
)]
async fn platzigram_reproduces_seed_003_beside_a_django_site() {
    platzigram_seed_003(Users::django("platzigram").await, false).await;
}

async fn platzigram_seed_003(users: Users, cookies: bool) {
    let app = spawn_example("platzigram", &users, cookies).await;
    users.add(&app, "pedro", "", "secret").await;
    let login = |form: Vec<(&'static str, &'static str)>| {
        app.send(app.http.post(app.url("/users/login/")).form(&form))
    };
    login(vec![]).await.expect(
        400,
        json!({"username": ["This field is required."], "password": ["This field is required."]}),
    );
    login(vec![("username", "pedro"), ("password", "nope")])
        .await
        .expect(
            401,
            json!({"detail": "No active account found with the given credentials"}),
        );
    let answer = login(vec![("username", "pedro"), ("password", "secret")]).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let body = answer.json();
    let access = body["access"].as_str().unwrap();
    let claims = token_part(access, 1);
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        300
    );
    assert_eq!(
        app.get_with_auth("/users/me/", &format!("JWT {access}"))
            .await
            .status,
        200
    );
    let bearer = app
        .get_with_auth("/users/me/", &format!("Bearer {access}"))
        .await;
    bearer.expect(
        401,
        json!({"detail": "Authentication credentials were not provided."}),
    );
    assert_eq!(bearer.header("www-authenticate"), Some("JWT realm=\"api\""));
    let refresh = body["refresh"].as_str().unwrap();
    let renewed = app
        .send(
            app.http
                .post(app.url("/users/refresh/"))
                .form(&[("refresh", refresh)]),
        )
        .await;
    assert_eq!(renewed.status, 200, "{}", renewed.text);
    // Russian is not offered here: the answer stays English.
    let ru = app
        .send(
            app.http
                .post(app.url("/users/login/"))
                .header("accept-language", "ru")
                .form(&[("a", "b")]),
        )
        .await;
    ru.expect(
        400,
        json!({"username": ["This field is required."], "password": ["This field is required."]}),
    );
}
