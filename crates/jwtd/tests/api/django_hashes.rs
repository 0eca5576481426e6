//! Logging in with every kind of Django hash, and the re-hash that follows. The hashes are golden
//! vectors made by Django 5.2's hashers (or hashlib for the formats Django 5.1 removed), from
//! `crates/jwtd-core/tests/golden_vectors.py`.

use std::time::Duration;

use serde_json::json;

use crate::helpers::*;

const PASSWORD: &str = "correct horse";

const HASHES: &[&str] = &[
    "pbkdf2_sha1$1000$Zx8yW7vU6tS5$0tyJFpcLrgtYMPqYm/UEC3We6cc=",
    "argon2$argon2i$v=19$m=512,t=2,p=2$UzFFNGVtVkxObmRMVW5WUw$AGPrNC5AZVbZiJOW6b0IDw",
    "bcrypt_sha256$$2b$04$CS75x.BX3SD.OY3aJVBvF.Vu9fa4/UHizdQEKo5JCLwKNcJAm.ujO",
    "bcrypt$$2b$04$v1GpenuPnVz3KRrq1EHL2.0XBexP78ieMacuSeKOaEqswM7aCi5fe",
    "scrypt$1024$6EZCKvwkD4Iqfu6erMi5bp$8$1$HJxQkVjRuf4P9JOgTMQkVkCHAXa9lEzPZKkV3X/mJY1AtHkWQ46pNrbJxrHQOTygZVc9G1gwTyeuCNlY3MnOhQ==",
    "md5$dqgnUB2AhNxs1s28kXixWY$fd9c20e14868bdbc4e3fa83654dadb79",
    "sha1$Qm9ZpX$2d462c773aa6eec6fda96a37a0755e3fe77517fc",
    "sha1$$2f9e53523b62abc141a2b4d6019d23cba835dbd0",
    "3cb4e732631f47e6eb961f34554b7cde",
];

#[tokio::test]
async fn every_django_hash_logs_in_once_and_is_re_hashed_to_argon2id() {
    let app = spawn_app().await;
    for (i, django) in HASHES.iter().enumerate() {
        let name = format!("user{i}");
        let user = app.add_user(&name, "", "placeholder", &[]).await;
        let store = &app.state.store;
        store
            .upgrade_password_hash(user.id, &user.password, django)
            .await
            .unwrap();
        let wrong = app
            .post_json("/token/", json!({"username": name, "password": "wrong"}))
            .await;
        wrong.expect(
            401,
            json!({"detail": "No active account found with the given credentials"}),
        );
        app.login(&name, PASSWORD).await;
        let mut stored = String::new();
        for _ in 0..200 {
            stored = store.user_by_id(user.id).await.unwrap().unwrap().password;
            if stored != *django {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(
            stored.starts_with("argon2$argon2id$"),
            "{django} → {stored}"
        );
        app.login(&name, PASSWORD).await;
    }
}

#[tokio::test]
async fn an_unusable_password_never_logs_in() {
    let app = spawn_app().await;
    for (name, unusable) in [
        ("a", "!"),
        ("b", "!cWvQF1jc8rUpM0GtIO6isjxiaWVHYfvQfM3aVy4n"),
        ("c", ""),
    ] {
        let user = app.add_user(name, "", "placeholder", &[]).await;
        app.state
            .store
            .upgrade_password_hash(user.id, &user.password, unusable)
            .await
            .unwrap();
        for password in ["", "!", unusable, PASSWORD] {
            let answer = app
                .post_json("/token/", json!({"username": name, "password": password}))
                .await;
            assert_ne!(answer.status, 200, "{unusable:?} / {password:?}");
        }
    }
}
