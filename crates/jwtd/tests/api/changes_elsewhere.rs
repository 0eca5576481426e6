//! A change made outside the running server — by the CLI, another process on the same
//! database — is enforced by the server within one second: a deactivated user's token, a
//! logged-out user's tokens, a deleted user's token are refused. (The server caches nothing
//! about users for longer than that; this test keeps it so.)

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{JwtdProcess, cli, process_config};

/// How long a running server may take to see a change made elsewhere.
const WITHIN: Duration = Duration::from_secs(1);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_made_by_the_cli_are_enforced_within_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let config = process_config(dir.path(), "", "").await;
    assert!(cli(
        &config,
        &["user", "add", "alice"],
        "a long test password\n"
    ));
    let server = JwtdProcess::start(&config);
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let login = || async {
        let body: Value = http
            .post(format!("{}/token/", server.base))
            .json(&json!({"username": "alice", "password": "a long test password"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["access"].as_str().unwrap().to_owned()
    };
    let me = |access: String| {
        let request = http
            .get(format!("{}/users/me/", server.base))
            .header("authorization", format!("Bearer {access}"));
        async move {
            let answer = request.send().await.unwrap();
            (
                answer.status().as_u16(),
                answer.json::<Value>().await.unwrap(),
            )
        }
    };
    // Polls until the token is refused; how long that took after the CLI returned.
    let refused_after = |access: String, code: &'static str| async move {
        let since = Instant::now();
        loop {
            let (status, body) = me(access.clone()).await;
            if status == 401 {
                assert_eq!(body["code"], code, "{body}");
                return since.elapsed();
            }
            assert!(since.elapsed() < WITHIN * 3, "still accepted: {body}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };

    let access = login().await;
    assert_eq!(me(access.clone()).await.0, 200);
    assert!(cli(&config, &["user", "deactivate", "alice"], ""));
    let waited = refused_after(access, "user_inactive").await;
    assert!(waited < WITHIN, "deactivation seen after {waited:?}");

    assert!(cli(&config, &["user", "activate", "alice"], ""));
    let access = login().await;
    assert_eq!(me(access.clone()).await.0, 200);
    assert!(cli(&config, &["user", "logout", "alice"], ""));
    let waited = refused_after(access, "token_not_valid").await;
    assert!(waited < WITHIN, "log out everywhere seen after {waited:?}");

    let access = login().await;
    assert!(cli(&config, &["user", "delete", "alice"], ""));
    let waited = refused_after(access, "user_not_found").await;
    assert!(waited < WITHIN, "deletion seen after {waited:?}");
}
