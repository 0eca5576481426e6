//! `spawn_app()`: a jwtd on port 0 over a fresh database, plus request helpers.
//!
//! The database is a SQLite file in the test's data directory, or, when
//! `TEST_DATABASE_URL` names a PostgreSQL server, a new database on it: the whole suite
//! runs on either backend.

use std::sync::Arc;

use base64::Engine;
use jwtd::server::Server;
use jwtd::state::AppState;
use jwtd_core::settings::Secret;
use jwtd_core::{Clock, Settings, Timestamp};
use jwtd_store::testing::{fresh_postgres_database, postgres_server};
use jwtd_store::{NewUser, User};
use serde_json::{Map, Value};

pub const KEY: &str = "test signing key, long enough for HS256 (>= 32 bytes)";

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub state: AppState,
    /// The server's clock: the system's, or a manual one ([`spawn_with_clock`]) a test moves.
    pub clock: Clock,
    /// Dropping the app drops these: the server stops and its data directory is removed.
    _dir: Arc<tempfile::TempDir>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// An HTTP answer: status, headers and the body as text and JSON.
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts status and exact body, and that every 401 carries the challenge.
    #[track_caller]
    pub fn expect(&self, status: u16, body: Value) {
        assert_eq!(
            (self.status, self.json()),
            (status, body),
            "body: {}",
            self.text
        );
        if status == 401 {
            assert!(
                self.header("www-authenticate")
                    .is_some_and(|h| h.ends_with(" realm=\"api\""))
            );
        }
    }
}

/// Settings every test starts from: fixed key, cheap hashes, temp data dir, port 0.
pub fn test_settings(dir: &std::path::Path) -> Settings {
    let mut s = Settings {
        signing_key: Some(Secret(KEY.into())),
        data_dir: dir.to_path_buf(),
        bind: "127.0.0.1:0".parse().unwrap(),
        ..Settings::default()
    };
    s.hashing.memory_kib = 64;
    s.hashing.iterations = 1;
    s
}

pub async fn spawn_app() -> TestApp {
    spawn_with(|_| {}).await
}

pub async fn spawn_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_with_clock(configure, Clock::system()).await
}

/// A server whose time is `clock`: with a manual clock, the test decides when a second passes.
pub async fn spawn_with_clock(configure: impl FnOnce(&mut Settings), clock: Clock) -> TestApp {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let mut settings = test_settings(dir.path());
    configure(&mut settings);
    spawn_in(dir, settings, clock).await
}

/// A manual clock standing at the start of the current second plus `micros`.
pub fn clock_in_this_second(micros: i64) -> Clock {
    Clock::manual(Timestamp::from_micros(
        Timestamp::from_secs(now()).micros() + micros,
    ))
}

pub async fn spawn_in(
    dir: Arc<tempfile::TempDir>,
    mut settings: Settings,
    clock: Clock,
) -> TestApp {
    if settings.database_url.is_none() {
        settings.database_url = test_database().await;
    }
    let server = Server::build_with_clock(settings, clock.clone())
        .await
        .expect("server starts");
    let base = format!("http://{}", server.local_addr());
    let state = server.state();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.run_until(async move {
        let _ = stopped.await;
    }));
    TestApp {
        base,
        http: reqwest::Client::builder().no_proxy().build().unwrap(),
        state,
        clock,
        _dir: dir,
        _stop: stop,
    }
}

impl TestApp {
    /// Stops this server and starts a new one on the same data directory and database.
    pub async fn restart(self) -> TestApp {
        self.restart_with(|_| {}).await
    }

    /// [`TestApp::restart`] with changed settings.
    pub async fn restart_with(self, change: impl FnOnce(&mut Settings)) -> TestApp {
        let mut settings = self.state.settings.clone();
        change(&mut settings);
        let (dir, clock) = (self._dir.clone(), self.clock.clone());
        drop(self);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        spawn_in(dir, settings, clock).await
    }

    pub async fn add_user(
        &self,
        username: &str,
        email: &str,
        password: &str,
        roles: &[&str],
    ) -> User {
        let hash = self.state.hashing.hash(password.to_owned()).await.unwrap();
        let user = NewUser {
            username: username.into(),
            email: email.into(),
            password: hash,
            is_active: true,
            roles: roles.iter().map(|r| r.to_string()).collect(),
        };
        self.state.store.create_user(user, 0).await.unwrap()
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        let response = request.send().await.expect("request reaches jwtd");
        Answer {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            text: response.text().await.unwrap(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn post_json(&self, path: &str, body: Value) -> Answer {
        self.send(self.http.post(self.url(path)).json(&body)).await
    }

    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Answer {
        self.send(
            self.http
                .post(self.url(path))
                .header("content-type", content_type)
                .body(body),
        )
        .await
    }

    pub async fn get_with_auth(&self, path: &str, authorization: &str) -> Answer {
        self.send(
            self.http
                .get(self.url(path))
                .header("authorization", authorization),
        )
        .await
    }

    /// Logs in and returns (refresh, access).
    pub async fn login(&self, username: &str, password: &str) -> (String, String) {
        let answer = self
            .post_json(
                "/token/",
                serde_json::json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        let body = answer.json();
        (
            body["refresh"].as_str().unwrap().into(),
            body["access"].as_str().unwrap().into(),
        )
    }

    /// Signs arbitrary claims with the server's key, as another SimpleJWT site would.
    pub fn sign(&self, claims: &Map<String, Value>) -> String {
        sign_with(jsonwebtoken::Algorithm::HS256, claims)
    }

    /// The claims of `token` changed by `change`, re-signed with the key (HS256).
    pub fn altered(&self, token: &str, change: impl FnOnce(&mut Map<String, Value>)) -> String {
        let mut claims = token_part(token, 1);
        change(&mut claims);
        self.sign(&claims)
    }

    /// Logs in at `/token/sliding/` and returns the sliding token.
    pub async fn login_sliding(&self, username: &str, password: &str) -> String {
        let answer = self
            .post_json(
                "/token/sliding/",
                serde_json::json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        answer.json()["token"].as_str().unwrap().to_owned()
    }

    /// POSTs `{"refresh": token}` to the refresh endpoint.
    pub async fn refresh(&self, token: &str) -> Answer {
        self.post_json("/token/refresh/", serde_json::json!({"refresh": token}))
            .await
    }

    /// POSTs `{"refresh": token}` to the blacklist endpoint.
    pub async fn blacklist(&self, token: &str) -> Answer {
        self.post_json("/token/blacklist/", serde_json::json!({"refresh": token}))
            .await
    }

    /// POSTs `{"token": token}` to the verify endpoint.
    pub async fn verify(&self, token: &str) -> Answer {
        self.post_json("/token/verify/", serde_json::json!({"token": token}))
            .await
    }
}

/// Signs claims with the test key and the given HMAC algorithm.
pub fn sign_with(algorithm: jsonwebtoken::Algorithm, claims: &Map<String, Value>) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(algorithm),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(KEY.as_bytes()),
    )
    .unwrap()
}

/// `{"detail": <detail>, "code": "token_not_valid"}`.
pub fn token_not_valid(detail: &str) -> Value {
    serde_json::json!({"detail": detail, "code": "token_not_valid"})
}

/// A protected route's 401 for a token refused as every accepted class: one
/// `(token_class, token_type, message)` per class, in order.
pub fn not_valid_for_any(failures: &[(&str, &str, &str)]) -> Value {
    let messages: Vec<Value> = failures
        .iter()
        .map(|(class, kind, message)| {
            serde_json::json!({"token_class": class, "token_type": kind, "message": message})
        })
        .collect();
    serde_json::json!({
        "detail": "Given token not valid for any token type",
        "code": "token_not_valid",
        "messages": messages,
    })
}

/// SimpleJWT's claim order with the exchanger's extra claims (`roles`, `ip_address`).
pub const CLAIMS_WITH_ROLES_AND_IP: [&str; 7] = [
    "token_type",
    "exp",
    "iat",
    "jti",
    "user_id",
    "roles",
    "ip_address",
];

/// The keys of a JSON object in order (claims, or a body's fields).
pub fn key_order(object: &Map<String, Value>) -> Vec<&str> {
    object.keys().map(String::as_str).collect()
}

/// The claim names of a token, in order.
pub fn claim_names(token: &str) -> Vec<String> {
    token_part(token, 1).keys().cloned().collect()
}

/// The JSON of one part of a token (0 = header, 1 = payload), key order kept.
pub fn token_part(token: &str, index: usize) -> Map<String, Value> {
    let part = token.split('.').nth(index).expect("three parts");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// The system clock's epoch second.
pub fn now() -> i64 {
    Clock::system().now().secs()
}

/// The database URL for a test's jwtd: `None` (SQLite in its data directory) or a fresh
/// database on the PostgreSQL server under test.
pub async fn test_database() -> Option<String> {
    match postgres_server() {
        Some(server) => Some(fresh_postgres_database(&server).await),
        None => None,
    }
}

/// [`test_database`] for the jwtd processes run on `data_dir`: the same database for every
/// call with the same directory (remembered in a file there).
pub fn test_database_for(data_dir: &std::path::Path) -> Option<String> {
    postgres_server()?;
    let memo = data_dir.join("test-database-url");
    if let Ok(url) = std::fs::read_to_string(&memo) {
        return Some(url);
    }
    let url = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(test_database())?;
    std::fs::create_dir_all(data_dir).unwrap();
    std::fs::write(&memo, &url).unwrap();
    Some(url)
}

/// Runs the `jwtd` binary with `args`, feeding `stdin`, and collects its output.
pub fn run_jwtd(
    args: &[&std::ffi::OsStr],
    envs: &[(&str, &str)],
    stdin: &str,
) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_jwtd"))
        .args(args)
        .envs(envs.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("jwtd runs");
    // A command that refuses before reading its input closes the pipe: not an error here.
    match child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => panic!("writing stdin: {e}"),
        _ => {}
    }
    child.wait_with_output().unwrap()
}

/// Writes `<dir>/jwtd.toml` for a `jwtd serve` process (and the CLI beside it): its data
/// directory, any port, the test key, the test database, cheap hashing, then `top` (top-level
/// settings) and `sections` (TOML tables); its path.
pub async fn process_config(
    dir: &std::path::Path,
    top: &str,
    sections: &str,
) -> std::path::PathBuf {
    let config = dir.join("jwtd.toml");
    let database = match test_database().await {
        Some(url) => format!("database_url = {url:?}\n"),
        None => String::new(),
    };
    std::fs::write(
        &config,
        format!(
            "data_dir = {:?}\nbind = \"127.0.0.1:0\"\nsigning_key = {KEY:?}\n{database}{top}\
             [hashing]\nmemory_kib = 64\niterations = 1\n{sections}",
            dir.join("data")
        ),
    )
    .unwrap();
    config
}

/// `jwtd --config <config> <args…>` with `stdin`: whether it succeeded.
pub fn cli(config: &std::path::Path, args: &[&str], stdin: &str) -> bool {
    let mut all = vec![std::ffi::OsStr::new("--config"), config.as_os_str()];
    all.extend(args.iter().map(std::ffi::OsStr::new));
    run_jwtd(&all, &[], stdin).status.success()
}

/// A `jwtd serve` process started from a config file; killed when dropped.
pub struct JwtdProcess {
    child: std::process::Child,
    /// `http://<addr>` it listens on.
    pub base: String,
    /// Every line it has written to stderr so far.
    logs: Arc<std::sync::Mutex<Vec<String>>>,
}

impl JwtdProcess {
    /// Starts `jwtd serve` and waits for its "listening" log line (text or JSON) to learn the
    /// port.
    pub fn start(config: &std::path::Path) -> JwtdProcess {
        use std::io::{BufRead, BufReader};
        use std::process::{Command, Stdio};
        let mut child = Command::new(env!("CARGO_BIN_EXE_jwtd"))
            .args(["--config", config.to_str().unwrap(), "serve"])
            .env("RUST_LOG", "info")
            .stderr(Stdio::piped())
            .spawn()
            .expect("jwtd starts");
        let stderr = child.stderr.take().unwrap();
        let logs = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let kept = logs.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let addr = line
                    .split("addr=")
                    .nth(1)
                    .and_then(|rest| rest.split_whitespace().next())
                    .or_else(|| {
                        let rest = line.split("\"addr\":\"").nth(1)?;
                        rest.split('"').next()
                    });
                if let Some(addr) = addr {
                    let _ = tx.send(addr.to_owned());
                }
                kept.lock().unwrap().push(line);
            }
        });
        let addr = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("jwtd logs where it listens");
        JwtdProcess {
            child,
            base: format!("http://{addr}"),
            logs,
        }
    }

    /// The stderr lines so far.
    pub fn logs(&self) -> Vec<String> {
        self.logs.lock().unwrap().clone()
    }

    /// SIGKILL (a crash, a power cut for the process), then waits for it to be gone.
    pub fn kill(&mut self) {
        self.child.kill().expect("jwtd is running");
        let _ = self.child.wait();
    }

    /// SIGTERM, then the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        assert!(sent.success());
        self.child.wait().unwrap()
    }
}

impl Drop for JwtdProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
