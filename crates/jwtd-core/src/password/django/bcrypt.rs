//! `bcrypt_sha256$$2b$<cost>$…` (bcrypt over the 64 lowercase hex digits of SHA-256(password),
//! Django's default second hasher) and `bcrypt$$2b$<cost>$…` (the password itself; hashes made
//! before bcrypt 5 used its first 72 bytes, so the check truncates the same way).

use sha2::{Digest, Sha256};

use super::{HashWork, Outcome};

/// Highest cost a stored hash may ask for: each step doubles the work (Django uses 12, about
/// 0.3 s); 2^16 rounds already take seconds.
const MAX_COST: u32 = 16;

pub(super) fn verify_sha256(password: &str, bcrypt_string: &str) -> Option<Outcome> {
    let digest = Sha256::digest(password.as_bytes());
    let hex = crate::hex::lower(&digest);
    check(hex.as_bytes(), bcrypt_string, "bcrypt_sha256")
}

pub(super) fn verify(password: &str, bcrypt_string: &str) -> Option<Outcome> {
    check(password.as_bytes(), bcrypt_string, "bcrypt")
}

fn check(secret: &[u8], bcrypt_string: &str, algorithm: &'static str) -> Option<Outcome> {
    // `$2b$12$<53 characters>`
    let cost: u32 = bcrypt_string.get(4..6)?.parse().ok()?;
    if cost > MAX_COST {
        return None;
    }
    // The truncating check: the old hashes were made of the first 72 bytes.
    let matches = bcrypt::verify(secret, bcrypt_string).ok()?;
    Some(Outcome {
        matches,
        work: HashWork {
            algorithm,
            params: format!("cost={cost}"),
        },
    })
}
