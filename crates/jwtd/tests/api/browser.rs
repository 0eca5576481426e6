//! Cookie mode in a real browser: Debian's headless Chromium, driven by Selenium
//! (`crates/jwtd/tests/browser/drive.py`), logs in from an app page on another origin of the
//! same site, stays logged in across a reload through the refresh cookie, never sees the refresh
//! token in `document.cookie`, shrugs off two attacker pages' form POSTs (one cross-site, one
//! same-site but another origin) to the refresh and logout routes, and logs out.

use std::process::Command;

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use tokio::net::TcpListener;

use crate::helpers::*;

const APP: &str = include_str!("../browser/app.html");
const ATTACKER: &str = include_str!("../browser/attacker.html");

/// Runs the Selenium driver `tests/browser/<script>` (BROWSER_TEST_PYTHON) with `args` and one
/// environment variable; fails the test with its report unless every check in it passed.
pub async fn drive(script: &str, args: Vec<String>, env: (&'static str, &'static str)) {
    let python = std::env::var("BROWSER_TEST_PYTHON").expect("BROWSER_TEST_PYTHON");
    let script = format!("{}/tests/browser/{script}", env!("CARGO_MANIFEST_DIR"));
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .args(args)
            .env(env.0, env.1)
            .output()
            .expect("the browser driver runs")
    })
    .await
    .unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    eprintln!("{report}");
}

/// Serves `page` on a port of its own; its port.
async fn serve(page: String) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let router = Router::new().route("/", get(move || async move { Html(page) }));
    tokio::spawn(async move { axum::serve(listener, router).await.ok() });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(browser_tests),
    ignore = "needs Chromium: BROWSER_TEST_PYTHON=$(.ci/browser-venv) with Debian's chromium and chromium-driver (bash .ci/run does)"
)]
async fn a_browser_stays_logged_in_by_cookie_and_attackers_are_refused() {
    // The app and jwtd share the site `localhost` on two ports; the attackers are a third port
    // of that site and another site altogether (127.0.0.1).
    let app_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app_port = app_listener.local_addr().unwrap().port();
    let app_origin = format!("http://localhost:{app_port}");
    let jwtd = spawn_with(|s| {
        s.cookies.enabled = true;
        s.rotate_refresh_tokens = true;
        s.blacklist_after_rotation = true;
        s.cors.allowed_origins = vec![app_origin.clone()];
    })
    .await;
    jwtd.add_user("alice", "", "alice browser password", &[])
        .await;
    let jwtd_base = jwtd.base.replace("127.0.0.1", "localhost");
    let page = APP.replace("__JWTD__", &jwtd_base);
    let router = Router::new().route("/", get(move || async move { Html(page) }));
    tokio::spawn(async move { axum::serve(app_listener, router).await.ok() });
    let mut attackers = Vec::new();
    for route in ["/token/refresh/", "/token/logout/"] {
        let form = ATTACKER.replace("__TARGET__", &format!("{jwtd_base}{route}"));
        let port = serve(form).await;
        attackers.push(format!("http://127.0.0.1:{port}/"));
        attackers.push(format!("http://localhost:{port}/"));
    }

    let mut args = vec![format!("{app_origin}/"), jwtd_base];
    args.extend(attackers);
    drive("drive.py", args, ("APP_PASSWORD", "alice browser password")).await;
    // The session the attacks aimed at was never revoked: only the logout ended it.
    let alice = jwtd
        .state
        .store
        .user_by_username("alice")
        .await
        .unwrap()
        .unwrap();
    assert!(
        jwtd.state
            .store
            .user_sessions(alice.id, now())
            .await
            .unwrap()
            .is_empty()
    );
}
