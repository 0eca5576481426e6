//! Test support (feature `testing`): which backend a test suite runs on.
//!
//! Unset `TEST_DATABASE_URL`: SQLite files in temporary directories. Set to a PostgreSQL
//! server URL (`postgres://postgres@127.0.0.1:25432/postgres`): every test gets a database of
//! its own on that server, so the same suite runs on either backend.

use sqlx::Connection;

pub const DATABASE_ENV: &str = "TEST_DATABASE_URL";

/// The PostgreSQL server the suite runs on, if one is configured.
pub fn postgres_server() -> Option<String> {
    std::env::var(DATABASE_ENV)
        .ok()
        .filter(|url| !url.is_empty())
}

/// Creates an empty database on `server` and returns its URL.
pub async fn fresh_postgres_database(server: &str) -> String {
    let mut admin = sqlx::PgConnection::connect(server)
        .await
        .unwrap_or_else(|e| panic!("{DATABASE_ENV} ({server}) is not reachable: {e}"));
    let name = format!("jwtd_test_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("CREATE DATABASE");
    admin.close().await.ok();
    with_database(server, &name)
}

/// `url` pointing at database `name` instead of its own.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let root = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    format!("{root}/{name}{query}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_names_are_swapped_in_urls() {
        assert_eq!(
            super::with_database("postgres://u@h:5/postgres?sslmode=disable", "x"),
            "postgres://u@h:5/x?sslmode=disable"
        );
        assert_eq!(
            super::with_database("postgres://u@h:5", "x"),
            "postgres://u@h:5/x"
        );
    }
}
