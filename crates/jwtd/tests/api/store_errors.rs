//! Store failures: one waiting can fix (the database unreachable) is a 503 with `Retry-After`;
//! any other (the schema broken under the server) is a 500 with DRF's body, never a retry hint.

use serde_json::json;
use sqlx::Connection;

use crate::helpers::*;

/// Runs one statement on the server's database from outside, as an operator's mistake would.
async fn execute_behind_the_servers_back(app: &TestApp, sql: &'static str) {
    let url = app.state.settings.effective_database_url();
    if url.starts_with("sqlite:") {
        let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query(sql).execute(&mut db).await.unwrap();
    } else {
        let mut db = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::query(sql).execute(&mut db).await.unwrap();
    }
}

#[tokio::test]
async fn a_permanent_store_fault_is_a_500_and_an_outage_a_503() {
    let app = spawn_app().await;
    app.add_user("alice", "", "pw", &[]).await;
    let credentials = json!({"username": "alice", "password": "pw"});
    assert_eq!(
        app.post_json("/token/", credentials.clone()).await.status,
        200
    );

    execute_behind_the_servers_back(&app, "DROP TABLE login_failures").await;
    let broken = app.post_json("/token/", credentials.clone()).await;
    broken.expect(500, json!({"detail": "A server error occurred."}));
    assert_eq!(
        broken.header("retry-after"),
        None,
        "waiting will not fix it"
    );

    app.state.store.close().await;
    let down = app.post_json("/token/", credentials).await;
    down.expect(
        503,
        json!({"detail": "The database is unavailable. Try again shortly."}),
    );
    assert_eq!(down.header("retry-after"), Some("1"));
}

#[tokio::test]
async fn a_permanent_store_fault_is_answered_in_the_clients_language() {
    let app = spawn_with(|s| {
        s.language = jwtd_core::Lang::Ru;
        s.languages = vec![jwtd_core::Lang::Ru, jwtd_core::Lang::En];
    })
    .await;
    app.add_user("alice", "", "pw", &[]).await;
    let (_, access) = app.login("alice", "pw").await;
    // A row jwtd cannot read: roles that are not a JSON list.
    execute_behind_the_servers_back(&app, "UPDATE users SET roles = 'admin'").await;
    // The login's read of alice is trusted for the user cache's half second; then she is read
    // again, as a change made elsewhere is.
    tokio::time::sleep(jwtd_store::user_cache::FRESH_FOR).await;
    app.get_with_auth("/users/me/", &format!("Bearer {access}"))
        .await
        .expect(500, json!({"detail": "Ошибка сервера."}));
}
