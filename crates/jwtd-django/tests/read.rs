//! The reader on a hand-made SQLite database shaped like a custom `AUTH_USER_MODEL` that logs in
//! by a column of its own, without SimpleJWT's blacklist app: the user table is found through its
//! `<table>_groups` table, `--login-field` names the column, absent columns take Django's
//! defaults. (Databases made by Django itself are read in jwtd's `django_import` tests.)

use jwtd_django::{DjangoDb, ReadOptions};
use sqlx::Connection;

#[tokio::test]
async fn a_custom_model_is_found_through_its_groups_table_and_read_by_its_login_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("site.sqlite3");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
    for statement in [
        "CREATE TABLE auth_group (id integer PRIMARY KEY, name varchar(150))",
        // An AbstractBaseUser + PermissionsMixin model: no is_active, no email, no date_joined.
        "CREATE TABLE shop_member (id integer PRIMARY KEY, password varchar(128), \
         last_login datetime NULL, is_superuser bool, phone varchar(20) UNIQUE)",
        "CREATE TABLE shop_member_groups (id integer PRIMARY KEY, member_id integer \
         REFERENCES shop_member (id), group_id integer REFERENCES auth_group (id))",
        "INSERT INTO auth_group VALUES (1, 'buyers'), (2, 'sellers')",
        "INSERT INTO shop_member VALUES (5, 'md5$s$h', '2026-11-23 23:13:29.622644', 1, '+15550100'), \
         (6, '!', NULL, 0, '+15550101')",
        "INSERT INTO shop_member_groups VALUES (1, 5, 2), (2, 5, 1)",
    ] {
        sqlx::query(statement).execute(&mut db).await.unwrap();
    }
    db.close().await.unwrap();

    let django = DjangoDb::connect(&path.display().to_string())
        .await
        .unwrap();
    let options = ReadOptions {
        login_field: Some("phone".into()),
        groups: true,
        ..ReadOptions::default()
    };
    let read = django.read(&options).await.unwrap();
    assert_eq!(read.schema.table, "shop_member");
    assert_eq!(read.schema.login, "phone");
    let first = &read.users[0];
    assert_eq!(
        (
            first.id.as_str(),
            first.login.as_str(),
            first.email.as_str()
        ),
        ("5", "+15550100", "")
    );
    assert!(first.is_active, "a model without is_active: active");
    assert!(first.is_superuser && !first.is_staff);
    // Python: datetime(2026, 11, 23, 23, 13, 29, tzinfo=timezone.utc).timestamp()
    assert_eq!(first.last_login, Some(1_795_475_609));
    assert_eq!(first.groups, ["buyers", "sellers"]);
    assert_eq!(read.users[1].last_login, None);
    assert!(read.tokens.is_empty(), "no blacklist app, no tokens");

    let wrong = ReadOptions {
        login_field: Some("username".into()),
        ..ReadOptions::default()
    };
    let err = django.read(&wrong).await.unwrap_err().to_string();
    assert_eq!(
        err,
        "the user table \"shop_member\" has no column \"username\""
    );
    django.close().await;
}
