//! The Django-database mode (`[django]`): jwtd serves a live Django 5.2 + SimpleJWT site's users
//! from the site's own database — no copy, no jwtd command — and shares SimpleJWT's blacklist
//! with it. Every change is made by Django's own code (`fixture.py`, the site's views).

use std::sync::Arc;
use std::time::Duration;

use jwtd_core::Settings;
use jwtd_core::settings::{DjangoHasher, DjangoMode, DjangoRoles, ExtraClaim, LoginField};
use serde_json::{Value, json};

use crate::django_site::{Backend, DjangoSite, RunningSite};
use crate::helpers::*;

/// Settings for a jwtd serving `site`'s users, rotating and blacklisting as the seed sites do.
pub fn django_mode(settings: &mut Settings, site: &DjangoSite) {
    settings.django = Some(DjangoMode {
        database_url: site.url.clone(),
        user_table: None,
        login_field: None,
        roles: DjangoRoles::Groups,
        password_hasher: DjangoHasher::Pbkdf2Sha256,
        pbkdf2_iterations: jwtd_core::settings::django::DJANGO_PBKDF2_ITERATIONS,
    });
    if site.model == "email" {
        settings.login_field = LoginField::Email;
    }
}

/// A jwtd in the Django-database mode over `site`, once it serves the site's users.
pub async fn spawn_beside(site: &DjangoSite, configure: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let mut settings = test_settings(dir.path());
    django_mode(&mut settings, site);
    settings.extra_claims = vec![ExtraClaim::Roles];
    settings.update_last_login = true;
    settings.rotate_refresh_tokens = true;
    settings.blacklist_after_rotation = true;
    configure(&mut settings);
    let app = spawn_in(dir, settings, jwtd_core::Clock::system()).await;
    wait_until_ready(&app).await;
    app
}

pub async fn wait_until_ready(app: &TestApp) {
    for _ in 0..200 {
        let ready = app.send(app.http.get(app.url("/readyz"))).await;
        if ready.status == 200 {
            assert_eq!(ready.json()["django_database"], "ok");
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("jwtd did not connect to the Django database");
}

/// The login body for `name` on `site` (its `USERNAME_FIELD`).
fn credentials(site: &DjangoSite, name: &str, password: &str) -> Value {
    if site.model == "email" {
        json!({"email": format!("{name}@example.com"), "password": password})
    } else {
        json!({"username": name, "password": password})
    }
}

/// `User.objects.create_user(...)` for `name` (with `email`, the login of an email-login
/// model); its primary key.
pub fn create_in_django(site: &DjangoSite, name: &str, password: &str, email: &str) -> i64 {
    let login = if site.model == "email" {
        format!("{email:?}")
    } else {
        format!("{name:?}, email={email:?}")
    };
    site.orm(&format!(
        "result = User.objects.create_user({login}, password={password:?}).pk"
    ))
    .as_i64()
    .unwrap()
}

async fn login(app: &TestApp, site: &DjangoSite, name: &str, password: &str) -> Answer {
    app.post_json("/token/", credentials(site, name, password))
        .await
}

async fn check_django_mode(model: &'static str, backend: Backend) {
    let site = DjangoSite::new(model, backend).await;
    site.fixture("create");
    let app = spawn_beside(&site, |_| {}).await;

    // A user created through Django's ORM logs in at once, groups as roles; last_login is
    // written as Django's update_last_login writes it.
    let id = create_in_django(&site, "carol", "first password", "carol@example.com");
    site.orm(&format!(
        "User.objects.get(pk={id}).groups.add(Group.objects.get(name='editors'))"
    ));
    let before_login = now();
    let first = login(&app, &site, "carol", "first password").await;
    let after_login = now();
    assert_eq!(first.status, 200, "{}", first.text);
    let claims = token_part(first.json()["access"].as_str().unwrap(), 1);
    assert_eq!(claims["user_id"], json!(id));
    assert_eq!(claims["roles"], json!(["editors"]));
    // Its refresh token is outstanding at the site, as SimpleJWT's `for_user` records it.
    let first_refresh = first.json()["refresh"].as_str().unwrap().to_owned();
    let first_claims = token_part(&first_refresh, 1);
    let outstanding = site.orm(&format!(
        "from rest_framework_simplejwt.token_blacklist.models import OutstandingToken; \
         t = OutstandingToken.objects.get(jti={:?}); \
         result = [t.user_id, t.token, int(t.expires_at.timestamp()), int(t.created_at.timestamp())]",
        first_claims["jti"].as_str().unwrap()
    ));
    assert_eq!(
        outstanding,
        json!([id, first_refresh, first_claims["exp"], first_claims["iat"]])
    );
    let last_login = site.orm(&format!(
        "result = int(User.objects.get(pk={id}).last_login.timestamp())"
    ));
    // Bounded by instants around the login, not by `now()` after a slow Python start.
    assert!(
        (before_login - 1..=after_login + 1).contains(&last_login.as_i64().unwrap()),
        "{last_login} not in {before_login}..={after_login}"
    );

    // A password changed in Django works at the next request; the old one is refused.
    site.orm(&format!(
        "u = User.objects.get(pk={id}); u.set_password('second password'); u.save()"
    ));
    let refused = login(&app, &site, "carol", "first password").await;
    refused.expect(
        401,
        json!({"detail": "No active account found with the given credentials"}),
    );
    // Group membership changes the next login's roles.
    site.orm(&format!(
        "User.objects.get(pk={id}).groups.add(Group.objects.get(name='support'))"
    ));
    let second = login(&app, &site, "carol", "second password").await;
    assert_eq!(second.status, 200, "{}", second.text);
    let (refresh, access) = pair(&second);
    assert_eq!(
        token_part(&access, 1)["roles"],
        json!(["editors", "support"])
    );
    app.get_with_auth("/users/me/", &format!("Bearer {access}"))
        .await
        .expect(
            200,
            json!({"id": id, "username": login_of(&site, "carol"), "email": "carol@example.com",
                   "roles": ["editors", "support"]}),
        );

    // The Django site's own JWT-protected view accepts jwtd's access token, and refreshes
    // jwtd's refresh token; Django's checks pass with jwtd running beside it.
    let running = RunningSite::start(&site).await;
    let django = reqwest::Client::builder().no_proxy().build().unwrap();
    let me = django
        .get(format!("{}/me/", running.base))
        .header("authorization", format!("Bearer {access}"))
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    assert_eq!(me.json::<Value>().await.unwrap(), json!({"id": id}));
    for args in [
        &["check"][..],
        &["migrate", "--check"],
        &["flushexpiredtokens"],
    ] {
        let (ok, printed) = site.manage(args);
        assert!(ok, "manage.py {args:?}: {printed}");
    }

    // Blacklist agreement, jwtd → Django: a refresh token jwtd blacklisted (here by rotating
    // it) is refused by the site's TokenRefreshView.
    let rotated = app.refresh(&refresh).await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    let successor = rotated.json()["refresh"].as_str().unwrap().to_owned();
    let at_django = |token: String, path: &'static str| {
        let (django, base) = (django.clone(), running.base.clone());
        async move {
            let answer = django
                .post(format!("{base}{path}"))
                .json(&json!({"refresh": token}))
                .send()
                .await
                .unwrap();
            (
                answer.status().as_u16(),
                answer.json::<Value>().await.unwrap(),
            )
        }
    };
    let blacklisted = token_not_valid("Token is blacklisted");
    assert_eq!(
        at_django(refresh.clone(), "/token/refresh/").await,
        (401, blacklisted.clone())
    );
    app.blacklist(&successor).await.expect(200, json!({}));
    assert_eq!(
        at_django(successor.clone(), "/token/refresh/").await,
        (401, blacklisted.clone())
    );
    // … and Django → jwtd: a jwtd token blacklisted through the site is refused by jwtd.
    let third = login(&app, &site, "carol", "second password").await;
    let (refresh, _) = pair(&third);
    assert_eq!(
        at_django(refresh.clone(), "/token/blacklist/").await,
        (200, json!({}))
    );
    app.refresh(&refresh).await.expect(401, blacklisted.clone());
    app.verify(&refresh)
        .await
        .expect(400, json!({"non_field_errors": ["Token is blacklisted"]}));
    // The site's own tokens too (issued by Django before jwtd, blacklisted there).
    let made = site.orm(
        "from rest_framework_simplejwt.tokens import RefreshToken; \
         u = User.objects.order_by('pk').first(); t = RefreshToken.for_user(u); t.blacklist(); \
         result = str(t)",
    );
    app.refresh(made.as_str().unwrap())
        .await
        .expect(401, blacklisted);
    drop(running);

    // A user deactivated in Django: 401 at refresh and on /users/me/.
    let fourth = login(&app, &site, "carol", "second password").await;
    let (refresh, access) = pair(&fourth);
    site.orm(&format!(
        "User.objects.filter(pk={id}).update(is_active=False)"
    ));
    app.refresh(&refresh).await.expect(
        401,
        json!({"detail": "No active account found for the given token."}),
    );
    app.get_with_auth("/users/me/", &format!("Bearer {access}"))
        .await
        .expect(
            401,
            json!({"detail": "User is inactive", "code": "user_inactive"}),
        );
    login(&app, &site, "carol", "second password").await.expect(
        401,
        json!({"detail": "No active account found with the given credentials"}),
    );
}

/// `name`'s value of the login column.
fn login_of(site: &DjangoSite, name: &str) -> String {
    if site.model == "email" {
        format!("{name}@example.com")
    } else {
        name.to_owned()
    }
}

fn pair(answer: &Answer) -> (String, String) {
    assert_eq!(answer.status, 200, "{}", answer.text);
    let body = answer.json();
    (
        body["refresh"].as_str().unwrap().to_owned(),
        body["access"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(django_tests),
    ignore = "needs Django: DJANGO_TEST_PYTHON=$(.ci/django-venv) (bash .ci/run does)"
)]
async fn a_django_sites_users_are_served_in_place_on_sqlite() {
    check_django_mode("auth", Backend::Sqlite).await;
    check_django_mode("email", Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(all(django_tests, postgres_tests)),
    ignore = "needs Django and PostgreSQL: DJANGO_TEST_PYTHON and TEST_DATABASE_URL (bash .ci/run sets both)"
)]
async fn a_django_sites_users_are_served_in_place_on_postgres() {
    check_django_mode("auth", Backend::Postgres).await;
    check_django_mode("email", Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(all(django_tests, mysql_tests)),
    ignore = "needs Django and MariaDB: DJANGO_TEST_PYTHON and TEST_MYSQL_URL (bash .ci/run sets both)"
)]
async fn a_django_sites_users_are_served_in_place_on_mariadb() {
    check_django_mode("auth", Backend::MariaDb).await;
    check_django_mode("email", Backend::MariaDb).await;
}
