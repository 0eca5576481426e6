// The PostgreSQL-only tests (two instances on one database, an outage) run when the suite is
// given a server (`TEST_DATABASE_URL`); without one they are compiled as `#[ignore]`d, so the
// test runner lists them as ignored, with the reason, instead of passing them silently.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(postgres_tests)");
    println!("cargo::rerun-if-env-changed=TEST_DATABASE_URL");
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|url| !url.is_empty()) {
        println!("cargo::rustc-cfg=postgres_tests");
    }
}
