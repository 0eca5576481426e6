//! Reading a live Django site's users one at a time (`jwtd_django::LiveUsers`, the groundwork of
//! the Django-database mode): every read sees what Django just did, and what jwtd writes there
//! (`last_login`, a re-hashed password) is what Django reads back and verifies.

use jwtd_core::password::Hasher;
use jwtd_django::{DjangoDb, ReadOptions};
use serde_json::json;

use crate::django_site::{Backend, DjangoSite};

async fn check_live_reads(model: &'static str, backend: Backend) {
    let site = DjangoSite::new(model, backend).await;
    let made = site.fixture("create");
    let by_email = made["login_field"] == "email";
    let login = |name: &str| {
        if by_email {
            format!("{name}@example.com")
        } else {
            name.to_owned()
        }
    };
    let db = DjangoDb::connect_for_writes(&site.url).await.unwrap();
    // The lookup of the model's USERNAME_FIELD.
    macro_rules! by_login {
        ($live:expr, $value:expr) => {
            if by_email {
                $live.by_email($value).await
            } else {
                $live.by_username($value).await
            }
        };
    }
    let live = db
        .live_users(&ReadOptions {
            groups: true,
            ..ReadOptions::default()
        })
        .await
        .unwrap();
    assert_eq!(live.schema().table, made["table"].as_str().unwrap());

    let boss = by_login!(live, &login("boss")).unwrap().unwrap();
    assert_eq!(boss.groups, ["editors", "support"]);
    assert!(boss.is_superuser && boss.is_staff);
    assert!(by_login!(live, &login("nobody")).unwrap().is_none());
    assert!(live.by_id(999).await.unwrap().is_none());

    // A user made through Django's ORM is there at once, with the password Django was given.
    let created = site.orm(&format!(
        "u = User.objects.create_user({:?}, password='fresh password'{}); result = u.pk",
        login("fresh"),
        if by_email {
            ""
        } else {
            ", email='fresh@example.com'"
        }
    ));
    let fresh = by_login!(live, &login("fresh")).unwrap().unwrap();
    assert_eq!(json!(fresh.id.parse::<i64>().unwrap()), created);
    let hasher = Hasher::new(&jwtd_core::settings::Hashing::default()).unwrap();
    assert!(
        hasher
            .verify("fresh password", Some(&fresh.password))
            .matches
    );

    // A password change, a deactivation and a group are seen at the next read.
    let id = fresh.id.parse::<i64>().unwrap();
    site.orm(&format!(
        "u = User.objects.get(pk={id}); u.set_password('changed'); u.is_active = False; u.save(); \
         u.groups.add(Group.objects.get(name='support'))"
    ));
    let changed = live.by_id(id).await.unwrap().unwrap();
    assert!(hasher.verify("changed", Some(&changed.password)).matches);
    assert!(
        !hasher
            .verify("fresh password", Some(&changed.password))
            .matches
    );
    assert!(!changed.is_active);
    assert_eq!(changed.groups, ["support"]);

    // jwtd's writes: last_login, and a re-hash Django itself verifies.
    live.record_login(id, 1_800_000_000).await.unwrap();
    let seen = site.orm(&format!(
        "result = int(User.objects.get(pk={id}).last_login.timestamp())"
    ));
    assert_eq!(seen, json!(1_800_000_000));
    let rehashed = Hasher::hash_pbkdf2_sha256("changed", 1_000_000);
    assert!(
        live.replace_password(id, &changed.password, &rehashed)
            .await
            .unwrap()
    );
    assert!(
        !live
            .replace_password(id, &changed.password, "x")
            .await
            .unwrap(),
        "only while the hash is still the one jwtd read"
    );
    let django_accepts = site.orm(&format!(
        "u = User.objects.get(pk={id}); result = [u.password.startswith('pbkdf2_sha256$1000000$'), \
         u.check_password('changed')]"
    ));
    assert_eq!(django_accepts, json!([true, true]));
    db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(django_tests),
    ignore = "needs Django: DJANGO_TEST_PYTHON=$(.ci/django-venv) (bash .ci/run does)"
)]
async fn a_live_django_sites_users_are_read_fresh_on_sqlite() {
    check_live_reads("auth", Backend::Sqlite).await;
    check_live_reads("email", Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(all(django_tests, postgres_tests)),
    ignore = "needs Django and PostgreSQL: DJANGO_TEST_PYTHON and TEST_DATABASE_URL (bash .ci/run sets both)"
)]
async fn a_live_django_sites_users_are_read_fresh_on_postgres() {
    check_live_reads("auth", Backend::Postgres).await;
    check_live_reads("email", Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(all(django_tests, mysql_tests)),
    ignore = "needs Django and MariaDB: DJANGO_TEST_PYTHON and TEST_MYSQL_URL (bash .ci/run sets both)"
)]
async fn a_live_django_sites_users_are_read_fresh_on_mariadb() {
    check_live_reads("auth", Backend::MariaDb).await;
    check_live_reads("email", Backend::MariaDb).await;
}
