//! `jwtd import django` against databases Django 5.2 made itself (`tests/django/fixture.py`):
//! the default user model and an email-login custom model, on SQLite and, with servers,
//! PostgreSQL and MariaDB. Every user logs in with the password Django was given, keeps the id and gets the
//! groups as roles; SimpleJWT's blacklisted tokens stay refused; a second import applies exactly
//! what changed in Django.

use std::ffi::OsStr;

use jwtd_core::settings::LoginField;
use serde_json::{Value, json};

use crate::django_site::{Backend, DjangoSite, RunningSite};
use crate::helpers::*;

/// `jwtd import django --from <site> <extra>` on the app's database; its stdout.
fn import(app: &TestApp, site: &DjangoSite, extra: &[&str]) -> String {
    let settings = &app.state.settings;
    let database = settings.effective_database_url();
    let mut args: Vec<&OsStr> = vec![
        OsStr::new("--data-dir"),
        settings.data_dir.as_os_str(),
        OsStr::new("--database-url"),
        OsStr::new(&database),
        OsStr::new("import"),
        OsStr::new("django"),
        OsStr::new("--from"),
        OsStr::new(&site.url),
    ];
    args.extend(extra.iter().map(OsStr::new));
    let output = run_jwtd(&args, &[], "");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

async fn log_in(app: &TestApp, field: &str, login: &str, password: &str) -> Answer {
    app.post_json("/token/", json!({field: login, "password": password}))
        .await
}

async fn check_site(model: &'static str, backend: Backend) {
    let site = DjangoSite::new(model, backend).await;
    let made = site.fixture("create");
    let field = made["login_field"].as_str().unwrap().to_owned();
    let app = spawn_with(|s| {
        if field == "email" {
            s.login_field = LoginField::Email;
        }
    })
    .await;
    let out = import(&app, &site, &[]);
    assert!(
        out.contains(
            "11 created, 0 updated, 0 unchanged, 0 skipped; tokens: recorded 2, blacklisted 1"
        ),
        "{out}"
    );

    let refused = json!({"detail": "No active account found with the given credentials"});
    for user in made["users"].as_array().unwrap() {
        let login = user["login"].as_str().unwrap();
        let answer = log_in(&app, &field, login, user["password"].as_str().unwrap()).await;
        if user["is_active"] == true && user["usable"] == true {
            assert_eq!(answer.status, 200, "{login}: {}", answer.text);
            let access = answer.json()["access"].as_str().unwrap().to_owned();
            let me = app
                .get_with_auth("/users/me/", &format!("Bearer {access}"))
                .await
                .json();
            assert_eq!(me["id"], user["id"], "{login} keeps the id");
            assert_eq!(me["roles"], user["roles"], "{login}'s groups are roles");
        } else {
            answer.expect(401, refused.clone());
        }
    }
    app.refresh(made["blacklisted"].as_str().unwrap())
        .await
        .expect(401, token_not_valid("Token is blacklisted"));
    let renewed = app.refresh(made["outstanding"].as_str().unwrap()).await;
    assert_eq!(renewed.status, 200, "{}", renewed.text);

    // Django changes a password, deactivates a user, adds one; a dry run reports exactly that.
    let changed = site.fixture("change");
    let dry = import(&app, &site, &["--dry-run"]);
    for line in [
        format!("update id {} (", changed["changed_password"]),
        format!("update id {} (", changed["deactivated"]),
        format!("create id {} (", changed["added"]),
    ] {
        assert!(dry.contains(&line), "{line} in {dry}");
    }
    assert!(dry.contains("1 created, 2 updated, 9 unchanged"), "{dry}");
    let pbkdf2_login = made["users"][0]["login"].as_str().unwrap();
    let stale = log_in(&app, &field, pbkdf2_login, "a new password").await;
    stale.expect(401, refused.clone());

    let out = import(&app, &site, &[]);
    assert!(out.contains("1 created, 2 updated, 9 unchanged"), "{out}");
    let fresh = log_in(&app, &field, pbkdf2_login, "a new password").await;
    assert_eq!(fresh.status, 200, "{}", fresh.text);
    let md5_login = made["users"][6]["login"].as_str().unwrap();
    log_in(&app, &field, md5_login, "md5 password")
        .await
        .expect(401, refused);
    let newcomer = if field == "email" {
        "newcomer@example.com"
    } else {
        "newcomer"
    };
    assert_eq!(
        log_in(&app, &field, newcomer, "newcomer password")
            .await
            .status,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(django_tests),
    ignore = "needs Django: DJANGO_TEST_PYTHON=$(.ci/django-venv) (bash .ci/run does)"
)]
async fn django_users_log_in_at_jwtd_after_an_import_on_sqlite() {
    check_site("auth", Backend::Sqlite).await;
    check_site("email", Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(all(django_tests, postgres_tests)),
    ignore = "needs Django and PostgreSQL: DJANGO_TEST_PYTHON and TEST_DATABASE_URL (bash .ci/run sets both)"
)]
async fn django_users_log_in_at_jwtd_after_an_import_on_postgres() {
    check_site("auth", Backend::Postgres).await;
    check_site("email", Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(all(django_tests, mysql_tests)),
    ignore = "needs Django and MariaDB: DJANGO_TEST_PYTHON and TEST_MYSQL_URL (bash .ci/run sets both)"
)]
async fn django_users_log_in_at_jwtd_after_an_import_on_mariadb() {
    check_site("auth", Backend::MariaDb).await;
    check_site("email", Backend::MariaDb).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(django_tests),
    ignore = "needs Django: DJANGO_TEST_PYTHON=$(.ci/django-venv) (bash .ci/run does)"
)]
async fn tokens_cross_between_a_live_simplejwt_site_and_jwtd() {
    let site = DjangoSite::new("auth", Backend::Sqlite).await;
    let made = site.fixture("create");
    let app = spawn_app().await;
    import(&app, &site, &[]);
    let django = RunningSite::start(&site).await;
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let (login, password, id) = {
        let alice = &made["users"][1];
        (
            alice["login"].as_str().unwrap(),
            alice["password"].as_str().unwrap(),
            alice["id"].clone(),
        )
    };

    // Django's tokens at jwtd.
    let pair: Value = http
        .post(format!("{}/token/", django.base))
        .json(&json!({"username": login, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let django_access = pair["access"].as_str().unwrap();
    let me = app
        .get_with_auth("/users/me/", &format!("Bearer {django_access}"))
        .await;
    assert_eq!(
        (me.status, me.json()["id"].clone()),
        (200, id.clone()),
        "{}",
        me.text
    );
    let renewed = app.refresh(pair["refresh"].as_str().unwrap()).await;
    assert_eq!(renewed.status, 200, "{}", renewed.text);

    // jwtd's tokens at Django's own protected view, naming the same user.
    let (_, jwtd_access) = app.login(login, password).await;
    for access in [
        jwtd_access.as_str(),
        renewed.json()["access"].as_str().unwrap(),
    ] {
        let answer = http
            .get(format!("{}/me/", django.base))
            .bearer_auth(access)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        assert_eq!(answer.json::<Value>().await.unwrap(), json!({"id": id}));
    }
    // And a token Django's site blacklisted stays refused at jwtd.
    app.refresh(made["blacklisted"].as_str().unwrap())
        .await
        .expect(401, token_not_valid("Token is blacklisted"));
}
