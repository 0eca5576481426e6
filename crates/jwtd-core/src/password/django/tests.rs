//! Golden vectors: every hash below was made by the real Django 5.2 hasher, or, for formats
//! Django 5.2 no longer ships, by the library Django used (hashlib, bcrypt, argon2-cffi), and
//! checked by Django's `check_password` where Django still reads the format.
//! `crates/jwtd-core/tests/golden_vectors.py` prints them.

use super::{identify, verify};

/// (what, password, encoded)
const GOLDEN: &[(&str, &str, &str)] = &[
    (
        "pbkdf2_sha256",
        "correct horse",
        "pbkdf2_sha256$1000$mbhJfbn3fKX4Xeb4XVxup5$jGeTLHkRnnOkUSlCYGaUYXFPFsYGb+cEUDiGD0w8kns=",
    ),
    (
        "pbkdf2_sha256, 12-character salt (Django < 3.2)",
        "correct horse",
        "pbkdf2_sha256$1000$Kb1aBc7dE9fG$IbJM66GO1TFIuUGbeBq9z1odw9PJEHgfHXyl5Eo9BoE=",
    ),
    (
        "pbkdf2_sha1",
        "correct horse",
        "pbkdf2_sha1$1000$DcRVT8DyioewUN8j499ZtI$Kvg2Tm8oiFmYDBhI4CfrilrzFLQ=",
    ),
    (
        "pbkdf2_sha1, 12-character salt",
        "correct horse",
        "pbkdf2_sha1$1000$Zx8yW7vU6tS5$0tyJFpcLrgtYMPqYm/UEC3We6cc=",
    ),
    (
        "argon2id",
        "correct horse",
        "argon2$argon2id$v=19$m=64,t=1,p=1$QkhveDhZTUFSR2FsbXpYenRibmFzeQ$qUrSyl66Hvev0NzgXt2mKrIXx36l7mvjv+HfQpnYyvg",
    ),
    (
        "argon2i, hash length 16 (Django 1.10-3.1)",
        "correct horse",
        "argon2$argon2i$v=19$m=512,t=2,p=2$UzFFNGVtVkxObmRMVW5WUw$AGPrNC5AZVbZiJOW6b0IDw",
    ),
    (
        // Django's own test vector (auth_tests.test_hashers, test_argon2_version_upgrade):
        // argon2-cffi before 16.0 wrote no `v=`, meaning version 0x10.
        "argon2i without a version",
        "secret",
        "argon2$argon2i$m=8,t=1,p=1$c29tZXNhbHQ$gwQOXSNhxiOxPOA0+PY10P9QFO4NAYysnqRt1GSQLE55m+2GYDt9FEjPMHhP2Cuf0nOEXXMocVrsJAtNSsKyfg",
    ),
    (
        "bcrypt_sha256",
        "correct horse",
        "bcrypt_sha256$$2b$04$CS75x.BX3SD.OY3aJVBvF.Vu9fa4/UHizdQEKo5JCLwKNcJAm.ujO",
    ),
    (
        "bcrypt",
        "correct horse",
        "bcrypt$$2b$04$v1GpenuPnVz3KRrq1EHL2.0XBexP78ieMacuSeKOaEqswM7aCi5fe",
    ),
    (
        "bcrypt, password over 72 bytes",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxtail beyond 72 bytes",
        "bcrypt$$2b$04$Jte8DY2/p.G0Z37bQB/s0eP8kSB/8wCGnr3ffwcYQyMCYHAwiouxa",
    ),
    (
        "scrypt",
        "correct horse",
        "scrypt$1024$6EZCKvwkD4Iqfu6erMi5bp$8$1$HJxQkVjRuf4P9JOgTMQkVkCHAXa9lEzPZKkV3X/mJY1AtHkWQ46pNrbJxrHQOTygZVc9G1gwTyeuCNlY3MnOhQ==",
    ),
    (
        "md5",
        "correct horse",
        "md5$dqgnUB2AhNxs1s28kXixWY$fd9c20e14868bdbc4e3fa83654dadb79",
    ),
    (
        "sha1",
        "correct horse",
        "sha1$Qm9ZpX$2d462c773aa6eec6fda96a37a0755e3fe77517fc",
    ),
    (
        "unsalted_sha1",
        "correct horse",
        "sha1$$2f9e53523b62abc141a2b4d6019d23cba835dbd0",
    ),
    (
        "unsalted_md5",
        "correct horse",
        "3cb4e732631f47e6eb961f34554b7cde",
    ),
    (
        "unsalted_md5, md5$$ form",
        "correct horse",
        "md5$$3cb4e732631f47e6eb961f34554b7cde",
    ),
];

#[test]
fn every_django_format_verifies_its_golden_vector() {
    for (what, password, encoded) in GOLDEN {
        let ok = verify(password, encoded).unwrap_or_else(|| panic!("{what}: not recognized"));
        assert!(ok.matches, "{what}: the right password");
        let wrong = verify(&format!("!{password}"), encoded).unwrap();
        assert!(!wrong.matches, "{what}: a wrong password");
        assert_eq!(ok.work, wrong.work, "{what}: the same work either way");
    }
}

#[test]
fn every_golden_vector_is_identified_without_hashing() {
    for (what, _, encoded) in GOLDEN {
        let algorithm = identify(encoded).unwrap_or_else(|| panic!("{what}"));
        assert!(
            what.starts_with(algorithm.trim_start_matches("unsalted_"))
                || what.starts_with(algorithm),
            "{what}: {algorithm}"
        );
    }
    for unusable in ["", "!", "!abc", "crypt$$ab12", "plain text"] {
        assert_eq!(identify(unusable), None, "{unusable}");
    }
}

#[test]
fn bcrypt_compares_only_the_first_72_bytes_as_the_old_hashes_did() {
    let (_, long, encoded) = GOLDEN
        .iter()
        .find(|(what, _, _)| what.contains("over 72 bytes"))
        .unwrap();
    let other_tail = format!("{}something else", &long[..72]);
    assert!(verify(&other_tail, encoded).unwrap().matches);
    assert!(!verify(&long[..71], encoded).unwrap().matches);
}

#[test]
fn versionless_argon2_is_version_0x10_and_asks_for_a_rehash_to_0x13() {
    let (_, _, versionless) = GOLDEN[6];
    let work = verify("secret", versionless).unwrap().work;
    assert_eq!(work.algorithm, "argon2i");
    assert_eq!(work.params, "m=8,t=1,p=1,v=16,len=64");
}

#[test]
fn unusable_malformed_and_hostile_hashes_are_not_verified() {
    for encoded in [
        "",
        "!",
        "!cWvQF1jc8rUpM0GtIO6isjxiaWVHYfvQfM3aVy4n",
        "crypt$$ab1234567890",
        "pbkdf2_sha256$0$salt$AAAA",
        "pbkdf2_sha256$abc$salt$AAAA",
        "pbkdf2_sha256$99999999$salt$AAAA",
        "argon2$argon2d$v=19$m=64,t=1,p=1$c2FsdA$AAAA",
        "argon2$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHQ$AAAAAAAAAAAAAAAAAAAAAA",
        "bcrypt$$2b$31$v1GpenuPnVz3KRrq1EHL2.0XBexP78ieMacuSeKOaEqswM7aCi5fe",
        "bcrypt$$2b$04$short",
        "scrypt$1000$salt$8$1$AAAA",
        "scrypt$1073741824$salt$8$1$AAAA",
        "md5$salt$abc",
        "sha1$salt$not-hex-but-forty-characters-long-000000",
        "3cb4e732631f47e6eb961f34554b7cd",
    ] {
        assert!(
            verify("correct horse", encoded).is_none_or(|o| !o.matches),
            "{encoded}"
        );
    }
}
