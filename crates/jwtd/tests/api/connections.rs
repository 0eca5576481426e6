//! Hostile clients at the connection level: more half-sent requests than the connection cap
//! do not lock out a real client, and the header timeout closes them; a trickled body gets 408.

use std::time::{Duration, Instant};

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::spawn_with;

const CAP: usize = 20;

/// Reads until the server closes the connection (what it sent, if anything), or `None` when it
/// is still open after `wait`.
async fn closed_within(stream: &mut TcpStream, wait: Duration) -> Option<Vec<u8>> {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let mut buf = [0u8; 1024];
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(seen),
            Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_beyond_the_cap_neither_lock_out_others_nor_stay() {
    let app = spawn_with(|s| {
        s.connections.max = CAP;
        s.connections.header_read_timeout = Duration::from_secs(2);
    })
    .await;
    app.add_user("alice", "alice@example.com", "a long password 1", &[])
        .await;
    let addr = app.base.trim_start_matches("http://").to_owned();

    // Twice the cap of connections that each send half a request header and stop.
    let mut slow = Vec::new();
    for _ in 0..2 * CAP {
        let mut stream = TcpStream::connect(&addr).await.unwrap();
        stream
            .write_all(b"POST /token/ HTTP/1.1\r\nHost: jwtd\r\nContent-Ty")
            .await
            .unwrap();
        slow.push(stream);
    }
    let opened = Instant::now();

    // A normal client (a fresh connection per request) is served at once meanwhile.
    let fresh = || {
        reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(0)
            .build()
            .unwrap()
    };
    for _ in 0..3 {
        let started = Instant::now();
        let login = fresh()
            .post(app.url("/token/"))
            .json(&json!({"username": "alice", "password": "a long password 1"}))
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), 200);
        let access = login.json::<serde_json::Value>().await.unwrap()["access"]
            .as_str()
            .unwrap()
            .to_owned();
        let verify = fresh()
            .post(app.url("/token/verify/"))
            .json(&json!({"token": access}))
            .send()
            .await
            .unwrap();
        assert_eq!(verify.status(), 200);
        let health = fresh().get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(health.status(), 200);
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "login, verify and /healthz took {:?} beside the slow connections",
            started.elapsed()
        );
    }

    // Every slow connection is closed: by the cap (evicted for the normal client's) or by the
    // header timeout, never left open.
    for (i, stream) in slow.iter_mut().enumerate() {
        let left = Duration::from_secs(4).saturating_sub(opened.elapsed());
        assert!(
            closed_within(stream, left).await.is_some(),
            "slow connection {i} still open {:?} after it stopped sending",
            opened.elapsed()
        );
    }
    let metrics = fresh()
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("jwtd_connections_closed_total{reason=\"evicted\"}"),
        "{metrics}"
    );
}

/// Sends `GET /healthz` on a kept-alive connection and reads the whole answer.
async fn health_on(stream: &mut TcpStream) -> String {
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: jwtd\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(2), stream.read(&mut buf))
            .await
            .expect("an answer in time")
            .unwrap();
        assert!(n > 0, "closed while a request was in progress");
        answer.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&answer);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length: ")
                        .map(str::to_owned)
                })
                .expect("a content-length")
                .trim()
                .parse()
                .unwrap();
            if body.len() >= length {
                return head.lines().next().unwrap_or_default().to_owned();
            }
        }
    }
}

#[tokio::test]
async fn a_kept_alive_connection_lives_while_used_and_closes_when_idle() {
    let limit = Duration::from_millis(800);
    let app = spawn_with(|s| s.connections.header_read_timeout = limit).await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&addr).await.unwrap();

    // Requests every 300 ms for twice the limit: the connection stays open throughout.
    let opened = Instant::now();
    while opened.elapsed() < 2 * limit {
        assert_eq!(health_on(&mut stream).await, "HTTP/1.1 200 OK");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    // Then idle: closed once the limit has passed since the last request, not long after.
    let idle_from = Instant::now();
    assert!(
        closed_within(&mut stream, 4 * limit).await.is_some(),
        "never closed"
    );
    let idle = idle_from.elapsed();
    assert!(
        idle >= limit - Duration::from_millis(350) && idle < 2 * limit,
        "closed after {idle:?} idle (limit {limit:?})"
    );
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let metrics = http.get(app.url("/metrics")).send().await.unwrap();
    let metrics = metrics.text().await.unwrap();
    let timed_out = metrics
        .lines()
        .find_map(|l| l.strip_prefix("jwtd_connections_closed_total{reason=\"timeout\"} "))
        .and_then(|n| n.parse::<u64>().ok());
    assert!(timed_out >= Some(1), "{metrics}");
}

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_gets_408() {
    let app = spawn_with(|s| s.connections.body_read_timeout = Duration::from_millis(500)).await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&addr).await.unwrap();
    stream
        .write_all(
            b"POST /token/verify/ HTTP/1.1\r\nHost: jwtd\r\nContent-Type: application/json\r\n\
              Content-Length: 40\r\n\r\n{\"token\": \"",
        )
        .await
        .unwrap();
    let answer = closed_within(&mut stream, Duration::from_secs(5))
        .await
        .expect("answered and closed");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.ends_with(r#"{"detail":"The request body did not arrive in time."}"#),
        "{answer}"
    );
}
