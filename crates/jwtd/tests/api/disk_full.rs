//! Disk full under SQLite: jwtd's database on a small tmpfs, filled during a write load. Writes
//! get 503 with DRF's JSON body (never a 500, never a panic), reads and verifies keep working,
//! the database passes `PRAGMA integrity_check`, and writes succeed again once space is freed,
//! without a restart. Needs root (to mount the tmpfs), as CI runs.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use jwtd_core::Clock;
use serde_json::json;
use sqlx::Connection;

use crate::helpers::{spawn_in, test_settings};

/// A tmpfs of `size`, unmounted when dropped.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(size: &str) -> SmallDisk {
        let dir = tempfile::tempdir().unwrap().keep();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .status()
            .expect("mount runs");
        assert!(
            status.success(),
            "cannot mount a tmpfs (the test needs root)"
        );
        SmallDisk(dir)
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        // Lazily: a server still closing its files (a failed test) must not keep it mounted.
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        let _ = std::fs::remove_dir(&self.0);
    }
}

/// Writes zeros into `path` until the filesystem is full.
fn fill(path: &Path) {
    let mut file = std::fs::File::create(path).unwrap();
    let block = vec![0u8; 64 * 1024];
    while file.write_all(&block).is_ok() {}
    let small = [0u8; 512];
    while file.write_all(&small).is_ok() {}
    let _ = file.sync_all();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_answers_503_keeps_reads_and_recovers_by_itself() {
    if !rustix::process::geteuid().is_root() {
        eprintln!("skipped: mounting a tmpfs needs root (CI runs as root)");
        return;
    }
    let disk = SmallDisk::mount("4m");
    let dir = Arc::new(tempfile::tempdir_in(&disk.0).unwrap());
    let mut settings = test_settings(dir.path());
    settings.rotate_refresh_tokens = true;
    settings.throttle.enabled = false;
    settings.database_url = Some(format!("sqlite://{}", dir.path().join("jwtd.db").display()));
    let app = spawn_in(dir.clone(), settings, Clock::system()).await;
    app.add_user("alice", "alice@example.com", "a long password 1", &[])
        .await;
    let (_, access) = app.login("alice", "a long password 1").await;

    let login = || {
        app.post_json(
            "/token/",
            json!({"username": "alice", "password": "a long password 1"}),
        )
    };

    let filler = disk.0.join("filler");
    fill(&filler);

    // Logins write (a refresh token, a session): some may still fit in free pages, then 503s.
    let mut unavailable = 0;
    for _ in 0..200 {
        let answer = login().await;
        match answer.status {
            200 => continue,
            503 => {
                answer.expect(
                    503,
                    json!({"detail": "The database is unavailable. Try again shortly."}),
                );
                assert_eq!(answer.header("retry-after"), Some("1"));
                unavailable += 1;
                if unavailable == 5 {
                    break;
                }
            }
            other => panic!("a login on a full disk answered {other}: {}", answer.text),
        }
    }
    assert_eq!(unavailable, 5, "writes kept succeeding on a full disk");

    // Reads and verifies do not need the disk.
    app.verify(&access).await.expect(200, json!({}));
    let me = app
        .get_with_auth("/users/me/", &format!("Bearer {access}"))
        .await;
    assert_eq!(me.status, 200, "{}", me.text);

    // Space comes back: writes work again, without a restart.
    std::fs::remove_file(&filler).unwrap();
    let mut recovered = false;
    for _ in 0..50 {
        let answer = login().await;
        if answer.status == 200 {
            let refresh = answer.json()["refresh"].as_str().unwrap().to_owned();
            assert_eq!(app.refresh(&refresh).await.status, 200);
            recovered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(recovered, "logins did not recover after space was freed");

    let url = format!("sqlite://{}?mode=ro", dir.path().join("jwtd.db").display());
    let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    drop(db);
    drop(app);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
}
