//! The `jwtd` command line: bad input gives one line on stderr and a non-zero exit.

use std::ffi::OsStr;
use std::process::{Command, Output, Stdio};

use crate::helpers::{run_jwtd, test_database_for};

const JWTD: &str = env!("CARGO_BIN_EXE_jwtd");

fn run(dir: &std::path::Path, args: &[&str], stdin: &str) -> Output {
    let mut all = vec![OsStr::new("--data-dir"), dir.as_os_str()];
    all.extend(args.iter().map(OsStr::new));
    let database = test_database_for(dir);
    let mut envs = vec![
        ("JWTD_HASHING__MEMORY_KIB", "64"),
        ("JWTD_HASHING__ITERATIONS", "1"),
    ];
    envs.extend(RULES_OFF);
    if let Some(url) = &database {
        envs.push(("JWTD_DATABASE_URL", url));
    }
    run_jwtd(&all, &envs, stdin)
}

/// The password rules switched off: these tests are not about them (but
/// `the_cli_applies_the_password_rules` is).
const RULES_OFF: [(&str, &str); 4] = [
    ("JWTD_PASSWORD_RULES__MIN_LENGTH", "0"),
    ("JWTD_PASSWORD_RULES__MAX_SIMILARITY", "1.0"),
    ("JWTD_PASSWORD_RULES__REFUSE_COMMON", "false"),
    ("JWTD_PASSWORD_RULES__REFUSE_NUMERIC", "false"),
];

#[track_caller]
fn fails_with(output: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "should fail: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains(needle), "{needle:?} not in {stderr:?}");
}

#[test]
fn user_commands_manage_the_database_and_refuse_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = run(
        d,
        &[
            "user",
            "add",
            "alice",
            "--email",
            "alice@example.com",
            "--role",
            "admin",
        ],
        "pw\n",
    );
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    fails_with(
        &run(d, &["user", "add", "alice"], "pw\n"),
        "username \"alice\" is already taken",
    );
    fails_with(
        &run(
            d,
            &["user", "add", "bob", "--email", "ALICE@example.com"],
            "pw\n",
        ),
        "already used",
    );
    fails_with(
        &run(d, &["user", "add", "bob"], "\n"),
        "the password is empty",
    );
    fails_with(
        &run(d, &["user", "add", "bad name"], "pw\n"),
        "may contain only",
    );
    fails_with(
        &run(d, &["user", "add", "bob", "--email", "nope"], "pw\n"),
        "not an email address",
    );
    fails_with(
        &run(d, &["user", "set-password", "nobody"], "pw\n"),
        "no user named \"nobody\"",
    );
    fails_with(
        &run(d, &["user", "frobnicate"], ""),
        "unrecognized subcommand",
    );
    fails_with(&run(d, &["user", "add"], ""), "required");

    assert!(
        run(d, &["user", "add", "bob", "--inactive"], "pw\n")
            .status
            .success()
    );
    assert!(
        run(d, &["user", "set-password", "bob"], "new\n")
            .status
            .success()
    );
    assert!(run(d, &["user", "activate", "bob"], "").status.success());
    assert!(
        run(d, &["user", "deactivate", "alice"], "")
            .status
            .success()
    );
    let list = run(d, &["user", "list", "--json"], "");
    let users: Vec<serde_json::Value> = String::from_utf8_lossy(&list.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(users.len(), 2);
    assert_eq!(
        (
            users[0]["username"].as_str(),
            users[0]["is_active"].as_bool()
        ),
        (Some("alice"), Some(false))
    );
    assert_eq!(users[0]["roles"], serde_json::json!(["admin"]));
    assert_eq!(
        (
            users[1]["username"].as_str(),
            users[1]["is_active"].as_bool()
        ),
        (Some("bob"), Some(true))
    );
    // A Django hash moves over as it is.
    let django =
        "pbkdf2_sha256$1000$PV5ybXrCMVWe5KajpLOU1q$f882667O2RyXBTl02c7ELVatrwdot0kDmpB0Fl/Ph8Y=\n";
    assert!(
        run(d, &["user", "add", "carol", "--django-hash"], django)
            .status
            .success()
    );
    fails_with(
        &run(d, &["user", "add", "dave", "--django-hash"], "hunter2\n"),
        "not a Django password hash",
    );
    assert!(run(d, &["user", "delete", "carol"], "").status.success());
    assert!(run(d, &["user", "delete", "bob"], "").status.success());
    fails_with(
        &run(d, &["user", "delete", "bob"], ""),
        "no user named \"bob\"",
    );
}

#[test]
fn bad_settings_name_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("jwtd.toml");
    std::fs::write(&config, "acess_token_lifetime = \"5m\"\n").unwrap();
    fails_with(
        &run(
            dir.path(),
            &["--config", config.to_str().unwrap(), "user", "list"],
            "",
        ),
        "acess_token_lifetime",
    );
    std::fs::write(&config, "access_token_lifetime = \"soon\"\n").unwrap();
    fails_with(
        &run(
            dir.path(),
            &["--config", config.to_str().unwrap(), "user", "list"],
            "",
        ),
        "invalid duration",
    );
    fails_with(
        &run(
            dir.path(),
            &["--config", "/nonexistent.toml", "user", "list"],
            "",
        ),
        "does not exist",
    );
    let mut child = Command::new(JWTD)
        .args(["serve", "--bind", "not-an-address"])
        .arg("--data-dir")
        .arg(dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success());
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("bind"), "{stderr}");
}

#[test]
fn config_check_prints_the_effective_settings_and_names_bad_keys() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("jwtd.toml");
    let check = |toml: &str, envs: &[(&str, &str)]| {
        std::fs::write(&file, toml).unwrap();
        run_jwtd(
            &[
                OsStr::new("config"),
                OsStr::new("check"),
                OsStr::new("--config"),
                file.as_os_str(),
            ],
            envs,
            "",
        )
    };
    let ok = check(
        "signing_key = \"a secret that is long enough, 32+ bytes\"\nalgorithm = \"HS512\"\n",
        &[("JWTD_ACCESS_TOKEN_LIFETIME", "60s")],
    );
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(stdout.contains("algorithm = \"HS512\""), "{stdout}");
    assert!(
        stdout.contains("access_token_lifetime = \"1m\""),
        "{stdout}"
    );
    assert!(stdout.contains("signing_key = \"<redacted>\""), "{stdout}");
    assert!(!stdout.contains("a secret"), "{stdout}");

    fails_with(
        &check("acces_token_lifetime = \"5m\"\n", &[]),
        "unknown setting `acces_token_lifetime`; did you mean `access_token_lifetime`?",
    );
    fails_with(
        &check("algorithm = \"RS999\"\n", &[]),
        "setting `algorithm`: \"RS999\" is not allowed; use one of: HS256, HS384, HS512",
    );
    fails_with(
        &check("[routes]\ntoken_verify = \"/token/\"\n", &[]),
        "setting `routes.token_verify`: \"/token/\" is used by another route",
    );
    fails_with(
        &check("", &[("JWTD_LEEWAY", "soon")]),
        "setting `leeway`: invalid duration \"soon\"",
    );
    fails_with(
        &check("user_id_field = \"uuid\"\n", &[]),
        "use one of: id, username, email",
    );
}

#[test]
fn keys_commands_need_a_key_set_and_a_known_algorithm() {
    let dir = tempfile::tempdir().unwrap();
    fails_with(
        &run(dir.path(), &["keys", "list"], ""),
        "`jwtd keys` manages the key set of an asymmetric `algorithm`",
    );
    fails_with(
        &run(
            dir.path(),
            &["keys", "generate", "--algorithm", "XX256"],
            "",
        ),
        "unknown algorithm \"XX256\"",
    );
}

#[test]
fn api_keys_are_shown_once_stored_hashed_audited_and_the_audit_log_expires() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let created = run(d, &["api-key", "create", "dashboard", "--read-only"], "");
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let key = String::from_utf8_lossy(&created.stdout).trim().to_owned();
    assert!(key.starts_with("jwtd_") && key.len() == 48, "{key}");
    fails_with(&run(d, &["api-key", "create", "dashboard"], ""), "exists");
    fails_with(
        &run(d, &["api-key", "revoke", "nobody"], ""),
        "no API key named",
    );
    let listed = String::from_utf8_lossy(&run(d, &["api-key", "list"], "").stdout).into_owned();
    assert!(
        listed.starts_with(&format!("dashboard\t{}…\tread-only\t", &key[..11])),
        "{listed}"
    );
    if test_database_for(d).is_none() {
        let database = std::fs::read(d.join("jwtd.db")).unwrap();
        let text = String::from_utf8_lossy(&database);
        assert!(
            !text.contains(&key) && !text.contains(&key[11..]),
            "the key itself is stored"
        );
    }
    assert!(
        run(d, &["api-key", "revoke", "dashboard"], "")
            .status
            .success()
    );
    let audit = run(d, &["audit", "list", "--json"], "");
    let audit = String::from_utf8_lossy(&audit.stdout).into_owned();
    let actions: Vec<(String, String)> = audit
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|e| {
            (
                e["action"].as_str().unwrap().into(),
                e["actor"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("api_key.revoked".into(), "cli".into()),
            ("api_key.created".into(), "cli".into())
        ]
    );
    assert!(!audit.contains(&key[5..]), "the audit log holds the key");
    fails_with(&run(d, &["audit", "list", "--since", "soon"], ""), "since");

    // flush-expired applies audit.retention.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let mut args = vec![OsStr::new("--data-dir"), d.as_os_str()];
    args.extend(["tokens", "flush-expired"].map(OsStr::new));
    let database = test_database_for(d);
    let mut envs = vec![("JWTD_AUDIT__RETENTION", "1s")];
    if let Some(url) = &database {
        envs.push(("JWTD_DATABASE_URL", url));
    }
    let flushed = run_jwtd(&args, &envs, "");
    let stdout = String::from_utf8_lossy(&flushed.stdout).into_owned();
    assert!(
        stdout.contains("removed 2 audit entries older than audit.retention"),
        "{stdout}"
    );
}

#[test]
fn the_cli_applies_the_password_rules() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec![OsStr::new("--data-dir"), dir.path().as_os_str()];
    args.extend(["user", "add", "alice", "--email", "alice@example.com"].map(OsStr::new));
    let database = test_database_for(dir.path());
    let envs: Vec<(&str, &str)> = database
        .iter()
        .map(|u| ("JWTD_DATABASE_URL", u.as_str()))
        .collect();
    fails_with(
        &run_jwtd(&args, &envs, "alice1\n"),
        "the password is refused (password_rules): The password is too similar to the username. \
         This password is too short. It must contain at least 8 characters.",
    );
    fails_with(
        &run_jwtd(&args, &envs, "1234567890\n"),
        "This password is entirely numeric.",
    );
    let added = run_jwtd(&args, &envs, "a perfectly fine password\n");
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    // Imported hashes are not passwords: no rule applies.
    args.truncate(2);
    args.extend(["user", "add", "bob", "--django-hash"].map(OsStr::new));
    // Django 5.2's `MD5PasswordHasher().encode("pw", "salt")`.
    let weak = "md5$salt$963e2232fa95666443f1ee9ffcdceda0\n";
    let imported = run_jwtd(&args, &envs, weak);
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
}
