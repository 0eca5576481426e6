//! Hashes Django no longer makes: salted MD5 (`md5$<salt>$<hex>`, still in Django 5.2 for test
//! settings), and the formats Django 5.1 removed — salted SHA-1 (`sha1$<salt>$<hex>`), unsalted
//! SHA-1 (`sha1$$<hex>`) and unsalted MD5 (`<32 hex>` or `md5$$<hex>`). They are weak: a
//! successful login re-hashes them at once.

use md5::Md5;
use sha1::Sha1;
use sha2::Digest;
use subtle::ConstantTimeEq;

use super::{HashWork, Outcome};

pub(super) fn salted_md5(password: &str, rest: &str) -> Option<Outcome> {
    let (salt, hex) = rest.split_once('$')?;
    salted::<Md5>(password, salt, hex, "md5")
}

pub(super) fn salted_sha1(password: &str, rest: &str) -> Option<Outcome> {
    let (salt, hex) = rest.split_once('$')?;
    salted::<Sha1>(password, salt, hex, "sha1")
}

pub(super) fn unsalted_md5(password: &str, hex: &str) -> Option<Outcome> {
    salted::<Md5>(password, "", hex, "unsalted_md5")
}

pub(super) fn unsalted_sha1(password: &str, hex: &str) -> Option<Outcome> {
    salted::<Sha1>(password, "", hex, "unsalted_sha1")
}

/// `hexdigest(salt + password)`, compared with the stored hex digits in constant time.
fn salted<D: Digest>(
    password: &str,
    salt: &str,
    hex: &str,
    algorithm: &'static str,
) -> Option<Outcome> {
    if hex.len() != 2 * <D as Digest>::output_size() || salt.contains('$') {
        return None;
    }
    let mut digest = D::new();
    digest.update(salt.as_bytes());
    digest.update(password.as_bytes());
    let computed = crate::hex::lower(&digest.finalize());
    Some(Outcome {
        matches: computed.as_bytes().ct_eq(hex.as_bytes()).into(),
        work: HashWork {
            algorithm,
            params: String::new(),
        },
    })
}
