// Tests that need a server or a tool the machine may lack are compiled as `#[ignore]`d without
// it, so the test runner lists them as ignored, with the reason, instead of passing them
// silently:
// * `postgres_tests`: two instances on one database, an outage (`TEST_DATABASE_URL`);
// * `django_tests`: importing real Django databases (`DJANGO_TEST_PYTHON`, a Python with Django 5.2
//   and SimpleJWT; `.ci/django-venv` makes one and prints the path), on MariaDB with
//   `mysql_tests` (`TEST_MYSQL_URL`, `.ci/with-mariadb` sets it);
// * `browser_tests`: cookie mode in headless Chromium (`BROWSER_TEST_PYTHON`, a Python with
//   Selenium; `.ci/browser-venv` makes one; Debian's `chromium` and `chromium-driver`).
fn main() {
    println!("cargo::rustc-check-cfg=cfg(postgres_tests)");
    println!("cargo::rustc-check-cfg=cfg(django_tests)");
    println!("cargo::rustc-check-cfg=cfg(mysql_tests)");
    println!("cargo::rustc-check-cfg=cfg(browser_tests)");
    println!("cargo::rerun-if-env-changed=BROWSER_TEST_PYTHON");
    println!("cargo::rerun-if-env-changed=TEST_MYSQL_URL");
    println!("cargo::rerun-if-env-changed=TEST_DATABASE_URL");
    println!("cargo::rerun-if-env-changed=DJANGO_TEST_PYTHON");
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|url| !url.is_empty()) {
        println!("cargo::rustc-cfg=postgres_tests");
    }
    if std::env::var("TEST_MYSQL_URL").is_ok_and(|url| !url.is_empty()) {
        println!("cargo::rustc-cfg=mysql_tests");
    }
    if std::env::var("BROWSER_TEST_PYTHON").is_ok_and(|python| !python.is_empty()) {
        println!("cargo::rustc-cfg=browser_tests");
    }
    if std::env::var("DJANGO_TEST_PYTHON").is_ok_and(|python| !python.is_empty()) {
        println!("cargo::rustc-cfg=django_tests");
    }
}
