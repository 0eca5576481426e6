//! `jwtd tokens flush-expired` against a live server: 100,000 expired rows go, refreshes keep
//! working throughout, unexpired blacklist entries stay.

use std::ffi::OsStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::json;

use crate::helpers::*;

const EXPIRED: i64 = 100_000;

/// Inserts `n` expired refresh-token rows in one statement (the same SQL on both backends).
async fn fill_expired(url: &str, n: i64) {
    let sql = "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < $1)
               INSERT INTO refresh_tokens (jti, user_id, family, created_at, expires_at, blacklisted_at)
               SELECT 'expired-' || i, NULL, 'old', 0, 1000 + i, CASE WHEN i % 2 = 0 THEN 1 END
               FROM seq";
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        sqlx::query(sql).bind(n).execute(&pool).await.unwrap();
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        sqlx::query(sql).bind(n).execute(&pool).await.unwrap();
        pool.close().await;
    }
}

/// How many of a sample of the filled rows (the even ones, which are blacklisted) remain,
/// asked through the store as the server asks it.
async fn sampled_rows_left(app: &TestApp) -> usize {
    let mut left = 0;
    for i in (2..=EXPIRED).step_by(998) {
        let jti = format!("expired-{i}");
        if app.state.store.is_blacklisted(&jti).await.unwrap() {
            left += 1;
        }
    }
    left
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn flush_expired_removes_100k_rows_while_refreshes_succeed() {
    let app = spawn_with(|s| {
        s.rotate_refresh_tokens = true;
        s.blacklist_after_rotation = true;
    })
    .await;
    app.add_user("alice", "", "pw", &[]).await;
    let (mut refresh, _) = app.login("alice", "pw").await;
    let (kept, _) = app.login("alice", "pw").await;
    app.blacklist(&kept).await.expect(200, json!({}));
    let url = app.state.settings.effective_database_url();
    fill_expired(&url, EXPIRED).await;
    assert_eq!(
        sampled_rows_left(&app).await,
        101,
        "the filled rows are there"
    );

    // Refresh (with rotation: a write each time) until the flush is done.
    let done = Arc::new(AtomicBool::new(false));
    let refresher = {
        let (http, base, done) = (app.http.clone(), app.base.clone(), done.clone());
        tokio::spawn(async move {
            let mut statuses = Vec::new();
            while !done.load(Ordering::Relaxed) {
                let answer = http
                    .post(format!("{base}/token/refresh/"))
                    .json(&json!({"refresh": refresh}))
                    .send()
                    .await
                    .unwrap();
                statuses.push(answer.status().as_u16());
                let body: serde_json::Value = answer.json().await.unwrap();
                if let Some(next) = body["refresh"].as_str() {
                    refresh = next.to_owned();
                }
            }
            statuses
        })
    };
    let data_dir = app.state.settings.data_dir.clone();
    let flush = tokio::task::spawn_blocking(move || {
        run_jwtd(
            &[
                OsStr::new("--data-dir"),
                data_dir.as_os_str(),
                OsStr::new("--database-url"),
                OsStr::new(&url),
                OsStr::new("tokens"),
                OsStr::new("flush-expired"),
                OsStr::new("--batch"),
                OsStr::new("2000"),
            ],
            &[],
            "",
        )
    })
    .await
    .unwrap();
    done.store(true, Ordering::Relaxed);
    let statuses = refresher.await.unwrap();

    let stdout = String::from_utf8_lossy(&flush.stdout);
    assert!(
        flush.status.success(),
        "{}",
        String::from_utf8_lossy(&flush.stderr)
    );
    // The filled rows plus nothing else: the refreshes' rows are unexpired.
    assert_eq!(
        stdout.trim(),
        format!(
            "removed {EXPIRED} expired refresh tokens\n\
             removed 0 audit entries older than audit.retention"
        )
    );
    eprintln!("refreshes during the flush: {}", statuses.len());
    assert!(!statuses.is_empty());
    assert!(
        statuses.iter().all(|s| *s == 200),
        "every refresh during the flush succeeded: {statuses:?}"
    );
    assert_eq!(sampled_rows_left(&app).await, 0);
    app.verify(&kept)
        .await
        .expect(400, json!({"non_field_errors": ["Token is blacklisted"]}));
}
