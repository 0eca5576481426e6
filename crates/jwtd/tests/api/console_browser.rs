//! The admin console in a real browser: Debian's headless Chromium, driven by Selenium
//! (`crates/jwtd/tests/browser/console.py`) through every screen — sign in, create a user, find
//! it, change its roles, set its password, see and revoke one of its sessions, generate and
//! rotate a key, read the audit log, switch to Russian at phone width, sign out — while two
//! attacker pages try forged form POSTs. Screenshots go to `target/console-screenshots/` (the
//! README's are copies).

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use jwtd_core::keys::Algorithm;
use tokio::net::TcpListener;

use crate::browser::drive;
use crate::helpers::*;
use crate::keys::key_set;

const ATTACKER: &str = include_str!("../browser/attacker.html");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(browser_tests),
    ignore = "needs Chromium: BROWSER_TEST_PYTHON=$(.ci/browser-venv) with Debian's chromium and chromium-driver (bash .ci/run does)"
)]
async fn an_administrator_runs_jwtd_from_the_console() {
    let jwtd = spawn_with(|s| {
        key_set(s, Algorithm::ES256);
        s.password_rules = jwtd_core::settings::PasswordRules::default();
        s.rotate_refresh_tokens = true;
        s.blacklist_after_rotation = true;
        s.languages = vec![jwtd_core::Lang::En, jwtd_core::Lang::Ru];
    })
    .await;
    jwtd.add_user(
        "root",
        "root@example.com",
        "the root console password",
        &["admin"],
    )
    .await;
    let base = jwtd.base.replace("127.0.0.1", "localhost");
    // A form that would create the user mallory, served from another site (127.0.0.1) and
    // from another origin of jwtd's own site (localhost, another port).
    let target = format!("{base}/admin/users/");
    let form = ATTACKER.replace("__TARGET__", &target).replace(
        r#"<input type="hidden" name="anything" value="1">"#,
        r#"<input type="hidden" name="username" value="mallory"><input type="hidden" name="password" value="Mallory's password 9">"#,
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let router = Router::new().route("/", get(move || async move { Html(form) }));
    tokio::spawn(async move { axum::serve(listener, router).await.ok() });
    let attackers = [
        format!("http://127.0.0.1:{port}/"),
        format!("http://localhost:{port}/"),
    ];
    let shots = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../target/console-screenshots"
    );

    let mut args = vec![base, shots.to_owned()];
    args.extend(attackers);
    drive(
        "console.py",
        args,
        ("ADMIN_PASSWORD", "the root console password"),
    )
    .await;
    let store = &jwtd.state.store;
    assert!(
        store.user_by_username("mallory").await.unwrap().is_none(),
        "a forged POST created a user"
    );
    let carol = store.user_by_username("carol").await.unwrap().unwrap();
    assert_eq!(carol.roles, ["staff", "support"]);
    // Carol's sessions: the API login not revoked, and the one after the key rotation.
    assert_eq!(store.user_sessions(carol.id, now()).await.unwrap().len(), 2);
}
