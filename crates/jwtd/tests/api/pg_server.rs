//! A throwaway PostgreSQL cluster the test owns, so it can stop and start it under a running
//! jwtd. Uses the server binaries of the machine (`PG_BIN`, `pg_ctl` on `PATH`, or Debian's
//! `/usr/lib/postgresql/*/bin`); as root, runs them as the `postgres` user, as PostgreSQL
//! requires.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct PgServer {
    bin: PathBuf,
    dir: tempfile::TempDir,
    pub port: u16,
}

fn find_bin() -> PathBuf {
    let candidates = std::env::var_os("PG_BIN")
        .map(PathBuf::from)
        .into_iter()
        .chain(
            std::env::var_os("PATH")
                .into_iter()
                .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>()),
        )
        .chain(
            std::fs::read_dir("/usr/lib/postgresql")
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path().join("bin")),
        );
    candidates
        .into_iter()
        .find(|dir| dir.join("pg_ctl").is_file() && dir.join("initdb").is_file())
        .expect("PostgreSQL server binaries (set PG_BIN to the directory holding pg_ctl)")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

impl PgServer {
    /// Creates and starts a cluster on a free loopback port.
    pub fn start() -> PgServer {
        let bin = find_bin();
        let dir = tempfile::tempdir().unwrap();
        if is_root() {
            let owned = Command::new("chown")
                .args(["postgres:", dir.path().to_str().unwrap()])
                .status()
                .unwrap();
            assert!(owned.success());
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let server = PgServer { bin, dir, port };
        server.run(
            "initdb",
            &["-D", &server.data(), "-A", "trust", "-U", "postgres", "-N"],
        );
        server.resume();
        server
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn run(&self, program: &str, args: &[&str]) {
        let path = self.bin.join(program);
        let mut command = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        };
        let output = command.args(args).output().unwrap();
        assert!(
            output.status.success(),
            "{program} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Starts (or restarts) the server and waits until it accepts connections.
    pub fn resume(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("log").display().to_string();
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-o",
                &options,
                "-l",
                &log,
                "-w",
                "start",
            ],
        );
    }

    /// Stops the server now (`-m fast`: open connections are cut).
    pub fn stop(&self) {
        self.run("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]);
    }

    /// Stops the server as a crash would (`-m immediate`: no shutdown checkpoint; the next
    /// start replays the WAL).
    pub fn crash(&self) {
        self.run(
            "pg_ctl",
            &["-D", &self.data(), "-m", "immediate", "-w", "stop"],
        );
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let _ = Command::new(self.bin.join("pg_ctl"))
            .args(["-D", &self.data(), "-m", "immediate", "stop"])
            .output();
        if is_root() {
            let _ = Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(self.bin.join("pg_ctl"))
                .args(["-D", &self.data(), "-m", "immediate", "stop"])
                .output();
        }
    }
}
