//! The Django-database mode's operations: the re-hash on login Django verifies, starting before
//! the site's database exists, read-only credentials, and the CLI leaving the site's users alone.

use std::ffi::OsStr;
use std::time::Duration;

use jwtd_core::settings::DjangoHasher;
use serde_json::json;

use crate::django_mode::{django_mode, spawn_beside};
use crate::django_site::{Backend, DjangoSite};
use crate::helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(django_tests),
    ignore = "needs Django: DJANGO_TEST_PYTHON=$(.ci/django-venv) (bash .ci/run does)"
)]
async fn an_old_hash_is_re_hashed_to_what_django_5_2_writes() {
    let site = DjangoSite::new("auth", Backend::Sqlite).await;
    site.fixture("create");
    let app = spawn_beside(&site, |s| s.check_revoke_token = true).await;
    let answer = app
        .post_json(
            "/token/",
            json!({"username": "md5", "password": "md5 password"}),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let seen = site.orm(
        "from rest_framework_simplejwt.utils import get_md5_hash_password; \
         u = User.objects.get(username='md5'); \
         result = [u.password.split('$')[:2], u.check_password('md5 password'), \
                   get_md5_hash_password(u.password)]",
    );
    assert_eq!(seen[0], json!(["pbkdf2_sha256", "1000000"]), "{seen}");
    assert_eq!(seen[1], json!(true), "Django verifies jwtd's hash");
    // The tokens carry the new hash's revocation value (SimpleJWT's), so they stay valid.
    let access = answer.json()["access"].as_str().unwrap().to_owned();
    assert_eq!(token_part(&access, 1)["hash_password"], seen[2]);
    let me = app
        .get_with_auth("/users/me/", &format!("Bearer {access}"))
        .await;
    assert_eq!(me.status, 200, "{}", me.text);

    // With `password_hasher = "off"` jwtd writes no password.
    let keep = spawn_beside(&site, |s| {
        s.django.as_mut().unwrap().password_hasher = DjangoHasher::Off;
    })
    .await;
    let before = site.orm("result = User.objects.get(username='argon').password");
    let login = keep
        .post_json(
            "/token/",
            json!({"username": "argon", "password": "argon password"}),
        )
        .await;
    assert_eq!(login.status, 200, "{}", login.text);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after = site.orm("result = User.objects.get(username='argon').password");
    assert_eq!(before, after);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(django_tests),
    ignore = "needs Django: DJANGO_TEST_PYTHON=$(.ci/django-venv) (bash .ci/run does)"
)]
async fn jwtd_starts_before_the_sites_database_and_waits_for_it() {
    let site = DjangoSite::new("auth", Backend::Sqlite).await;
    let dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    let mut settings = test_settings(dir.path());
    django_mode(&mut settings, &site);
    let app = spawn_in(dir, settings, jwtd_core::Clock::system()).await;

    let ready = app.send(app.http.get(app.url("/readyz"))).await;
    assert_eq!(ready.status, 503, "{}", ready.text);
    assert_eq!(ready.json()["django_database"], "unreachable");
    assert_eq!(
        ready.json()["database"],
        "ok",
        "jwtd's own database is fine"
    );
    let login = app
        .post_json("/token/", json!({"username": "alice", "password": "x"}))
        .await;
    login.expect(
        503,
        json!({"detail": "The database is unavailable. Try again shortly."}),
    );
    assert_eq!(login.header("retry-after"), Some("1"));
    // What needs no user keeps working.
    let token = app.sign(
        &json!({"token_type": "access", "exp": now() + 60, "iat": now(), "jti": "j",
                "user_id": 1})
        .as_object()
        .unwrap()
        .clone(),
    );
    app.verify(&token).await.expect(200, json!({}));

    // The site's database appears: jwtd serves its users without a restart.
    site.fixture("create");
    for _ in 0..400 {
        if app.send(app.http.get(app.url("/readyz"))).await.status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let login = app
        .post_json(
            "/token/",
            json!({"username": "pbkdf2sha1", "password": "pbkdf2sha1 password"}),
        )
        .await;
    assert_eq!(login.status, 200, "{}", login.text);
}

#[test]
#[cfg_attr(
    not(django_tests),
    ignore = "needs Django: DJANGO_TEST_PYTHON=$(.ci/django-venv) (bash .ci/run does)"
)]
fn the_cli_leaves_the_sites_users_to_django() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let site = runtime.block_on(DjangoSite::new("auth", Backend::Sqlite));
    site.fixture("create");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("jwtd.toml");
    std::fs::write(
        &config,
        format!("[django]\ndatabase_url = {:?}\n", site.url),
    )
    .unwrap();
    let jwtd = |args: &[&str]| {
        let mut all = vec![
            OsStr::new("--data-dir"),
            dir.path().as_os_str(),
            OsStr::new("--config"),
            config.as_os_str(),
        ];
        all.extend(args.iter().map(OsStr::new));
        run_jwtd(&all, &[], "a password\n")
    };
    for args in [
        &["user", "add", "mallory"][..],
        &["user", "set-password", "boss"],
        &["user", "deactivate", "boss"],
        &["user", "delete", "boss"],
    ] {
        let out = jwtd(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
        assert!(
            stderr.contains("the users belong to the Django site"),
            "{stderr}"
        );
    }
    let import = jwtd(&["import", "django", "--from", &site.url]);
    assert!(!import.status.success());
    assert!(String::from_utf8_lossy(&import.stderr).contains("nothing to import"));
    // "Log out everywhere" is jwtd's own business, and works for a site user.
    let logout = jwtd(&["user", "logout", "boss"]);
    assert!(
        logout.status.success(),
        "{}",
        String::from_utf8_lossy(&logout.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&logout.stdout).trim(),
        "boss is logged out everywhere"
    );
    let unchanged = site.orm("result = User.objects.filter(username='mallory').exists()");
    assert_eq!(unchanged, json!(false));
}

/// With `update_last_login` off, re-hashing off and no SimpleJWT blacklist tables, jwtd never
/// writes to the site's database: a role that may only `SELECT` serves logins, refreshes,
/// blacklisting (kept in jwtd's own store) and `/users/me/`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(all(django_tests, postgres_tests)),
    ignore = "needs Django and PostgreSQL: DJANGO_TEST_PYTHON and TEST_DATABASE_URL (bash .ci/run sets both)"
)]
async fn read_only_credentials_suffice_when_jwtd_writes_nothing() {
    use sqlx::Connection as _;
    let site = DjangoSite::new("auth", Backend::Postgres).await;
    site.fixture("create");
    let role = format!("jwtd_ro_{}", jwtd_core::token::new_jti());
    let mut admin = sqlx::PgConnection::connect(&site.url).await.unwrap();
    for statement in [
        "DROP TABLE token_blacklist_blacklistedtoken, token_blacklist_outstandingtoken".to_owned(),
        format!("CREATE ROLE {role} LOGIN PASSWORD 'read only'"),
        format!("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(statement))
            .execute(&mut admin)
            .await
            .unwrap();
    }
    // postgres://user@host/db → postgres://role:password@host/db
    let (scheme, rest) = site.url.split_once("://").unwrap();
    let host_and_db = rest.rsplit_once('@').map_or(rest, |(_, after)| after);
    let read_only = format!("{scheme}://{role}:read%20only@{host_and_db}");

    let app = spawn_beside(&site, |s| {
        let django = s.django.as_mut().unwrap();
        django.database_url = read_only.clone();
        django.password_hasher = DjangoHasher::Off;
        s.update_last_login = false;
    })
    .await;
    // `md5` has a hash Django would re-hash: jwtd leaves it.
    let login = app
        .post_json(
            "/token/",
            json!({"username": "md5", "password": "md5 password"}),
        )
        .await;
    assert_eq!(login.status, 200, "{}", login.text);
    let refresh = login.json()["refresh"].as_str().unwrap().to_owned();
    let rotated = app.refresh(&refresh).await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    let access = rotated.json()["access"].as_str().unwrap().to_owned();
    let me = app
        .get_with_auth("/users/me/", &format!("Bearer {access}"))
        .await;
    assert_eq!(me.status, 200, "{}", me.text);
    let newest = rotated.json()["refresh"].as_str().unwrap().to_owned();
    app.blacklist(&newest).await.expect(200, json!({}));
    app.refresh(&newest)
        .await
        .expect(401, token_not_valid("Token is blacklisted"));
    let (last_login, hash) = sqlx::query_as::<_, (Option<String>, String)>(
        "SELECT CAST(last_login AS TEXT), password FROM auth_user WHERE username = 'md5'",
    )
    .fetch_one(&mut admin)
    .await
    .unwrap();
    assert_eq!(last_login, None);
    assert!(hash.starts_with("md5$"), "{hash}");
}
