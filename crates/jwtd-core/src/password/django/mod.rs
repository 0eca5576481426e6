//! Django's encoded password formats, each verified in constant time as Django 5.2 verifies it,
//! plus the legacy ones Django no longer reads (so nobody is locked out by a move to jwtd).
//!
//! [`verify`] picks the format the way Django's `identify_hasher` does; each module holds one
//! family of formats. A format jwtd does not know, an unusable password (`!…`, empty) or a
//! malformed hash gives `None`: the caller then verifies a dummy hash, so it costs the same work
//! as a wrong password.

mod argon2;
mod bcrypt;
mod legacy;
mod pbkdf2;
mod scrypt;
#[cfg(test)]
mod tests;

use super::HashWork;

pub(super) use argon2::work as argon2_work;
pub(super) use pbkdf2::encode_sha256 as encode_pbkdf2_sha256;
pub(super) use pbkdf2::work as pbkdf2_work;

pub(super) struct Outcome {
    pub matches: bool,
    /// What the check computed: differs from the configured hash's work when the stored hash is
    /// of another algorithm or weaker parameters (then the password is re-hashed on login).
    pub work: HashWork,
}

/// Every algorithm [`verify`] reads, by the name Django's hashers write first.
const ALGORITHMS: [&str; 8] = [
    "pbkdf2_sha256",
    "pbkdf2_sha1",
    "argon2",
    "bcrypt_sha256",
    "bcrypt",
    "scrypt",
    "md5",
    "sha1",
];

/// The hasher an encoded password names, as Django's `identify_hasher` finds it, without
/// checking its fields.
pub(super) fn identify(encoded: &str) -> Option<&'static str> {
    // Ancient Django stored unsalted MD5 (32 hex digits, or `md5$$<hex>`) and SHA-1 (`sha1$$`).
    if (encoded.len() == 32 && !encoded.contains('$'))
        || (encoded.len() == 37 && encoded.starts_with("md5$$"))
    {
        return Some("unsalted_md5");
    }
    if encoded.len() == 46 && encoded.starts_with("sha1$$") {
        return Some("unsalted_sha1");
    }
    let (algorithm, _) = encoded.split_once('$')?;
    ALGORITHMS.into_iter().find(|a| *a == algorithm)
}

/// Verifies `password` against a Django-encoded hash.
pub(super) fn verify(password: &str, encoded: &str) -> Option<Outcome> {
    let rest = encoded.split_once('$').map_or("", |(_, rest)| rest);
    match identify(encoded)? {
        "unsalted_md5" => legacy::unsalted_md5(password, encoded.trim_start_matches("md5$$")),
        "unsalted_sha1" => legacy::unsalted_sha1(password, &encoded["sha1$$".len()..]),
        "pbkdf2_sha256" => pbkdf2::verify::<sha2::Sha256>(password, rest, "pbkdf2_sha256"),
        "pbkdf2_sha1" => pbkdf2::verify::<sha1::Sha1>(password, rest, "pbkdf2_sha1"),
        "argon2" => argon2::verify(password, rest),
        "bcrypt_sha256" => bcrypt::verify_sha256(password, rest),
        "bcrypt" => bcrypt::verify(password, rest),
        "scrypt" => scrypt::verify(password, rest),
        "md5" => legacy::salted_md5(password, rest),
        "sha1" => legacy::salted_sha1(password, rest),
        _ => None,
    }
}
