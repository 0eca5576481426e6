//! Brute-force back-off, refresh-token reuse detection, log out everywhere, IP binding.

use std::ffi::OsStr;
use std::time::Duration;

use jwtd_core::{Clock, Timestamp};
use serde_json::{Value, json};

use crate::helpers::*;

async fn login_as(app: &TestApp, username: &str, password: &str, lang: &str) -> Answer {
    let request = app
        .http
        .post(app.url("/token/"))
        .header("accept-language", lang)
        .json(&json!({"username": username, "password": password}));
    app.send(request).await
}

/// Asserts a 429 whose message and `Retry-After` agree on a wait of 1..=max seconds.
#[track_caller]
fn assert_throttled(answer: &Answer, max: u64, russian: bool) {
    assert_eq!(answer.status, 429, "{}", answer.text);
    let wait: u64 = answer.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=max).contains(&wait), "Retry-After {wait}");
    let first = if russian {
        "Запрос был проигнорирован."
    } else {
        "Request was throttled."
    };
    let unit = if wait == 1 { "second" } else { "seconds" };
    assert_eq!(
        answer.json(),
        json!({"detail": format!("{first} Expected available in {wait} {unit}.")})
    );
}

#[tokio::test]
async fn failed_logins_back_off_per_account_and_the_count_survives_a_restart() {
    let app = spawn_with(|s| {
        s.languages = vec![jwtd_core::Lang::En, jwtd_core::Lang::Ru];
        s.throttle.account_failures = 3;
        s.throttle.base_delay = Duration::from_secs(60);
    })
    .await;
    app.add_user("alice", "", "pw", &[]).await;
    let no_active = json!({"detail": "No active account found with the given credentials"});
    for name in ["alice", "ghost"] {
        for _ in 0..3 {
            login_as(&app, name, "wrong", "en")
                .await
                .expect(401, no_active.clone());
        }
        // Known or not, the fourth attempt waits — even with the right password.
        assert_throttled(&login_as(&app, name, "pw", "en").await, 60, false);
        assert_throttled(&login_as(&app, name, "pw", "ru").await, 60, true);
    }
    // Another account from the same IP is not affected.
    app.add_user("bob", "", "pw", &[]).await;
    assert_eq!(login_as(&app, "bob", "pw", "en").await.status, 200);

    let app = app.restart().await;
    assert_throttled(&login_as(&app, "alice", "pw", "en").await, 60, false);
}

#[tokio::test]
async fn a_successful_login_resets_the_account_count() {
    let app = spawn_with(|s| {
        s.throttle.account_failures = 3;
        s.throttle.base_delay = Duration::from_secs(30);
    })
    .await;
    app.add_user("alice", "", "pw", &[]).await;
    for password in ["x", "x", "pw", "x", "x", "pw", "x", "x"] {
        let answer = login_as(&app, "alice", password, "en").await;
        assert_eq!(
            answer.status,
            if password == "pw" { 200 } else { 401 },
            "{password}: {}",
            answer.text
        );
    }
    login_as(&app, "alice", "x", "en").await;
    assert_throttled(&login_as(&app, "alice", "pw", "en").await, 30, false);
}

#[tokio::test]
async fn failed_logins_back_off_per_client_ip() {
    let app = spawn_with(|s| {
        s.throttle.ip_failures = 4;
        s.throttle.base_delay = Duration::from_secs(30);
    })
    .await;
    app.add_user("alice", "", "pw", &[]).await;
    for i in 0..4 {
        let answer = login_as(&app, &format!("user{i}"), "wrong", "en").await;
        assert_eq!(answer.status, 401);
    }
    assert_throttled(&login_as(&app, "alice", "pw", "en").await, 30, false);
}

#[tokio::test]
async fn replaying_a_rotated_refresh_token_revokes_its_family() {
    for blacklist_after_rotation in [true, false] {
        let app = spawn_with(|s| {
            s.rotate_refresh_tokens = true;
            s.blacklist_after_rotation = blacklist_after_rotation;
            s.refresh_reuse_interval = Duration::ZERO;
        })
        .await;
        app.add_user("alice", "", "pw", &[]).await;
        let (first, _) = app.login("alice", "pw").await;
        let (other_login, _) = app.login("alice", "pw").await;
        let second = app.refresh(&first).await.json()["refresh"]
            .as_str()
            .unwrap()
            .to_owned();
        let newest = app.refresh(&second).await.json()["refresh"]
            .as_str()
            .unwrap()
            .to_owned();
        let blacklisted = token_not_valid("Token is blacklisted");
        // The thief replays the first token: refused, and the family dies with it.
        app.refresh(&first).await.expect(401, blacklisted.clone());
        app.refresh(&newest).await.expect(401, blacklisted);
        // Other logins of the same user are other families.
        assert_eq!(app.refresh(&other_login).await.status, 200);
    }
}

#[tokio::test]
async fn a_replay_within_the_reuse_interval_is_only_refused() {
    let app = spawn_with(|s| {
        s.rotate_refresh_tokens = true;
        s.blacklist_after_rotation = true;
    })
    .await;
    app.add_user("alice", "", "pw", &[]).await;
    let (first, _) = app.login("alice", "pw").await;
    let answer = app.refresh(&first).await;
    let second = answer.json()["refresh"].as_str().unwrap().to_owned();
    // A client racing itself (default interval 10 s): the late copy is refused ...
    app.refresh(&first)
        .await
        .expect(401, token_not_valid("Token is blacklisted"));
    // ... and the winner's token still works.
    let answer = app.refresh(&second).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
}

#[tokio::test]
async fn logging_out_everywhere_kills_every_token_issued_before() {
    // The server's clock runs 10 s behind the system's, so the CLI's logout below (on the
    // system clock) comes after every token the server issues.
    let clock = Clock::manual(Timestamp::from_secs(now() - 10));
    let app = spawn_with_clock(|_| {}, clock).await;
    app.add_user("alice", "", "pw", &[]).await;
    let (refresh1, access1) = app.login("alice", "pw").await;
    let (refresh2, access2) = app.login("alice", "pw").await;
    app.clock.advance(Duration::from_millis(1100));
    let answer = app
        .send(
            app.http
                .post(app.url("/users/me/logout-all/"))
                .bearer_auth(&access1),
        )
        .await;
    answer.expect(200, json!({}));
    let blacklisted = token_not_valid("Token is blacklisted");
    for refresh in [&refresh1, &refresh2] {
        app.refresh(refresh).await.expect(401, blacklisted.clone());
    }
    app.get_with_auth("/users/me/", &format!("Bearer {access2}"))
        .await
        .expect(
            401,
            not_valid_for_any(&[("AccessToken", "access", "Token is blacklisted")]),
        );
    // A new login works.
    let (_, fresh) = app.login("alice", "pw").await;
    let me = app
        .get_with_auth("/users/me/", &format!("Bearer {fresh}"))
        .await;
    assert_eq!(me.status, 200, "{}", me.text);

    // The CLI does the same.
    let settings = &app.state.settings;
    let output = run_jwtd(
        &[
            OsStr::new("--data-dir"),
            settings.data_dir.as_os_str(),
            OsStr::new("--database-url"),
            OsStr::new(&settings.effective_database_url()),
            OsStr::new("user"),
            OsStr::new("logout"),
            OsStr::new("alice"),
        ],
        &[],
        "",
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        app.get_with_auth("/users/me/", &format!("Bearer {fresh}"))
            .await
            .status,
        401
    );
}

/// "Log out everywhere" at 0.5 s into a second: tokens issued at 0.2 s (same `iat`) are refused,
/// tokens of a login at 0.7 s, and what refreshing them yields, work.
#[tokio::test]
async fn logging_out_everywhere_refuses_tokens_of_the_same_second() {
    for rotate in [false, true] {
        let app = spawn_with_clock(
            |s| s.rotate_refresh_tokens = rotate,
            clock_in_this_second(200_000),
        )
        .await;
        app.add_user("alice", "", "pw", &[]).await;
        let (old_refresh, old_access) = app.login("alice", "pw").await;
        app.clock.advance(Duration::from_millis(300));
        let logout = app.http.post(app.url("/users/me/logout-all/"));
        app.send(logout.bearer_auth(&old_access))
            .await
            .expect(200, json!({}));
        app.clock.advance(Duration::from_millis(200));
        let (new_refresh, new_access) = app.login("alice", "pw").await;
        assert_eq!(
            token_part(&old_access, 1)["iat"],
            token_part(&new_access, 1)["iat"],
            "one clock second"
        );

        app.get_with_auth("/users/me/", &format!("Bearer {old_access}"))
            .await
            .expect(
                401,
                not_valid_for_any(&[("AccessToken", "access", "Token is blacklisted")]),
            );
        app.refresh(&old_refresh)
            .await
            .expect(401, token_not_valid("Token is blacklisted"));

        let me = app
            .get_with_auth("/users/me/", &format!("Bearer {new_access}"))
            .await;
        assert_eq!(me.status, 200, "{}", me.text);
        let renewed = app.refresh(&new_refresh).await;
        assert_eq!(renewed.status, 200, "{}", renewed.text);
        let renewed = renewed.json();
        let access = renewed["access"].as_str().unwrap();
        let me = app
            .get_with_auth("/users/me/", &format!("Bearer {access}"))
            .await;
        assert_eq!(
            me.status, 200,
            "a token refreshed in that second works: {}",
            me.text
        );
        if rotate {
            let next = renewed["refresh"].as_str().unwrap();
            assert_eq!(app.refresh(next).await.status, 200, "so does its successor");
        }
    }
}

#[tokio::test]
async fn bind_ip_refuses_tokens_used_from_another_address() {
    for bind in [true, false] {
        let app = spawn_with(|s| {
            s.extra_claims = vec![jwtd_core::settings::ExtraClaim::IpAddress];
            s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
            s.bind_ip = bind;
        })
        .await;
        app.add_user("alice", "", "pw", &[]).await;
        let from = |ip: &str, request: reqwest::RequestBuilder| {
            request.header("x-forwarded-for", ip.to_owned())
        };
        let body: Value = app
            .send(from(
                "198.51.100.7",
                app.http
                    .post(app.url("/token/"))
                    .json(&json!({"username": "alice", "password": "pw"})),
            ))
            .await
            .json();
        let (refresh, access) = (
            body["refresh"].as_str().unwrap(),
            body["access"].as_str().unwrap(),
        );
        let me = |ip: &str| {
            app.send(from(
                ip,
                app.http.get(app.url("/users/me/")).bearer_auth(access),
            ))
        };
        let renew = |ip: &str| {
            app.send(from(
                ip,
                app.http
                    .post(app.url("/token/refresh/"))
                    .json(&json!({"refresh": refresh})),
            ))
        };
        assert_eq!(me("198.51.100.7").await.status, 200);
        assert_eq!(renew("198.51.100.7").await.status, 200);
        if bind {
            me("203.0.113.9").await.expect(
                401,
                not_valid_for_any(&[("AccessToken", "access", "Token is invalid")]),
            );
            renew("203.0.113.9")
                .await
                .expect(401, token_not_valid("Token is invalid"));
        } else {
            assert_eq!(me("203.0.113.9").await.status, 200);
            assert_eq!(renew("203.0.113.9").await.status, 200);
        }
    }
}
