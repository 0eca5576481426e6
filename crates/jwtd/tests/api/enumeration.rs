//! Unknown users cost the same hashing work as wrong passwords (and inactive users).
//! Asserted on the work the hashing pool did, not on wall time.

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn failed_logins_do_identical_hashing_work() {
    let app = spawn_app().await;
    app.add_user("alice", "", "right", &[]).await;
    let carol = app.add_user("carol", "", "right", &[]).await;
    app.state.store.set_active(carol.id, false).await.unwrap();

    let mut bodies = Vec::new();
    let mut work = Vec::new();
    for (user, password) in [("alice", "wrong"), ("nobody", "wrong"), ("carol", "right")] {
        let before = app.state.hashing.work_done();
        let answer = app
            .post_json("/token/", json!({"username": user, "password": password}))
            .await;
        let after = app.state.hashing.work_done();
        let delta: Vec<_> = after
            .iter()
            .filter_map(|(kind, n)| {
                let extra = n - before.get(kind).copied().unwrap_or(0);
                (extra > 0).then(|| (kind.clone(), extra))
            })
            .collect();
        bodies.push((answer.status, answer.text.clone()));
        work.push(delta);
    }
    assert_eq!(work[0].len(), 1, "one verification per login: {work:?}");
    assert_eq!(work[0][0].1, 1);
    assert_eq!(work[0], work[1], "unknown user vs wrong password");
    assert_eq!(work[0], work[2], "inactive user vs wrong password");
    assert_eq!(
        work[0][0].0.params, "m=64,t=1,p=1,v=19,len=32",
        "the configured Argon2id cost (version 0x13, 32-byte hash)"
    );
    assert!(bodies.iter().all(|b| *b == bodies[0]), "{bodies:?}");
}
