//! SIGTERM under load: the real `jwtd` binary stops gracefully and, after a restart, every
//! write it acknowledged (blacklist entries over HTTP, users created by the CLI) is there.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use crate::helpers::{JwtdProcess, cli, process_config};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_under_load_loses_no_committed_write() {
    let dir = tempfile::tempdir().unwrap();
    let config = process_config(dir.path(), "", "[throttle]\nenabled = false\n").await;
    assert!(cli(
        &config,
        &["user", "add", "alice"],
        "a long test password\n"
    ));
    let server = JwtdProcess::start(&config);
    let http = reqwest::Client::builder().no_proxy().build().unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let blacklisted = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut load = Vec::new();
    for _ in 0..6 {
        let (http, base, stop, blacklisted) = (
            http.clone(),
            server.base.clone(),
            stop.clone(),
            blacklisted.clone(),
        );
        load.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let Ok(login) = http
                    .post(format!("{base}/token/"))
                    .json(&json!({"username": "alice", "password": "a long test password"}))
                    .send()
                    .await
                else {
                    break;
                };
                let Ok(body) = login.json::<serde_json::Value>().await else {
                    break;
                };
                let refresh = body["refresh"].as_str().unwrap().to_owned();
                let Ok(answer) = http
                    .post(format!("{base}/token/blacklist/"))
                    .json(&json!({"refresh": refresh}))
                    .send()
                    .await
                else {
                    break;
                };
                if answer.status() == 200 {
                    blacklisted.lock().unwrap().push(refresh);
                }
            }
        }));
    }
    let config_for_users = config.clone();
    // The CLI writes to the same database while the server is under load and stopping.
    let users = tokio::task::spawn_blocking(move || {
        (0..12)
            .map(|i| format!("user{i}"))
            .filter(|name| {
                cli(
                    &config_for_users,
                    &["user", "add", name],
                    "a long test password\n",
                )
            })
            .collect::<Vec<_>>()
    });

    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut server = server;
    let status = tokio::task::spawn_blocking(move || server.terminate())
        .await
        .unwrap();
    assert!(status.success(), "graceful exit, got {status}");
    stop.store(true, Ordering::Relaxed);
    for task in load {
        task.await.unwrap();
    }
    let created = users.await.unwrap();
    let acknowledged = blacklisted.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= 5,
        "the load did real work: {} blacklisted",
        acknowledged.len()
    );
    assert!(!created.is_empty());

    let restarted = JwtdProcess::start(&config);
    for refresh in &acknowledged {
        let answer = http
            .post(format!("{}/token/refresh/", restarted.base))
            .json(&json!({"refresh": refresh}))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 401);
        let body: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(body["detail"], "Token is blacklisted");
    }
    for name in &created {
        let answer = http
            .post(format!("{}/token/", restarted.base))
            .json(&json!({"username": name, "password": "a long test password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "user {name} survived");
    }
}
