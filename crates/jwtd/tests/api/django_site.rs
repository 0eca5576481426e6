//! A real Django 5.2 + SimpleJWT site for the tests (`crates/jwtd/tests/django/`): its database,
//! made and changed by Django's own code through `fixture.py`, on SQLite, PostgreSQL or MariaDB,
//! and the site itself served by `manage.py runserver`. Needs `DJANGO_TEST_PYTHON`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::helpers::KEY;

/// The Django test site and its fixture script.
fn site_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/django")
}

/// A Django site's database, made and changed by Django's own code.
pub struct DjangoSite {
    pub url: String,
    pub model: &'static str,
    _dir: tempfile::TempDir,
}

/// The database a Django site runs on.
#[derive(Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
    MariaDb,
}

impl DjangoSite {
    pub async fn new(model: &'static str, backend: Backend) -> DjangoSite {
        let dir = tempfile::tempdir().unwrap();
        let url = match backend {
            Backend::Sqlite => format!("sqlite://{}", dir.path().join("django.sqlite3").display()),
            Backend::Postgres => {
                let server = jwtd_store::testing::postgres_server().expect("TEST_DATABASE_URL");
                jwtd_store::testing::fresh_postgres_database(&server).await
            }
            // fixture.py creates it.
            Backend::MariaDb => format!(
                "{}/django_{}",
                std::env::var("TEST_MYSQL_URL").expect("TEST_MYSQL_URL"),
                jwtd_core::token::new_jti()
            ),
        };
        DjangoSite {
            url,
            model,
            _dir: dir,
        }
    }

    /// Runs `fixture.py <command> [argument]` and returns the JSON it prints.
    pub fn fixture(&self, command: &str) -> Value {
        self.fixture_with(command, None)
    }

    /// `fixture.py run <python>`: runs ORM code on the site; it may set `result` (printed as
    /// JSON).
    pub fn orm(&self, code: &str) -> Value {
        self.fixture_with("run", Some(code))
    }

    /// [`DjangoSite::orm`] with more environment (e.g. `DJANGO_JWK_URL`).
    pub fn orm_with(&self, code: &str, env: &[(&str, &str)]) -> Value {
        self.fixture_env("run", Some(code), env)
    }

    /// `manage.py <args>` on the site: whether it succeeded, and what it printed.
    pub fn manage(&self, args: &[&str]) -> (bool, String) {
        let python = std::env::var("DJANGO_TEST_PYTHON").expect("DJANGO_TEST_PYTHON");
        let output = self
            .environment(
                Command::new(python)
                    .arg(site_dir().join("manage.py"))
                    .args(args),
            )
            .current_dir(site_dir())
            .output()
            .expect("python runs");
        let printed = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        (output.status.success(), printed)
    }

    /// The environment the site's settings read.
    fn environment<'c>(&self, command: &'c mut Command) -> &'c mut Command {
        command
            .env("DJANGO_DB", &self.url)
            .env("DJANGO_USER_MODEL", self.model)
            .env("DJANGO_SIGNING_KEY", KEY)
    }

    fn fixture_with(&self, command: &str, argument: Option<&str>) -> Value {
        self.fixture_env(command, argument, &[])
    }

    fn fixture_env(&self, command: &str, argument: Option<&str>, env: &[(&str, &str)]) -> Value {
        let python = std::env::var("DJANGO_TEST_PYTHON").expect("DJANGO_TEST_PYTHON");
        let output = self
            .environment(
                Command::new(python)
                    .arg(site_dir().join("fixture.py"))
                    .arg(command)
                    .args(argument),
            )
            .envs(env.iter().copied())
            .output()
            .expect("python runs");
        assert!(
            output.status.success(),
            "fixture.py {command}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    }
}

/// A Django site serving SimpleJWT's views (`manage.py runserver`); stopped when dropped.
pub struct RunningSite {
    child: std::process::Child,
    pub base: String,
}

impl RunningSite {
    pub async fn start(site: &DjangoSite) -> RunningSite {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let python = std::env::var("DJANGO_TEST_PYTHON").expect("DJANGO_TEST_PYTHON");
        let child = site
            .environment(
                Command::new(python)
                    .arg(site_dir().join("manage.py"))
                    .args(["runserver", "--noreload", &format!("127.0.0.1:{port}")]),
            )
            .current_dir(site_dir())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("runserver starts");
        let running = RunningSite {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        for _ in 0..150 {
            if http
                .get(format!("{}/me/", running.base))
                .send()
                .await
                .is_ok()
            {
                return running;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("the Django site did not start");
    }
}

impl Drop for RunningSite {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
