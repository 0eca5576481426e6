//! `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>` and `pbkdf2_sha1$…`: any iteration count,
//! any salt length (Django < 3.2 made 12-character salts); the salt is used as its ASCII bytes.

use base64::Engine;
use pbkdf2::hmac::digest::{FixedOutput, KeyInit, Update};
use pbkdf2::hmac::{EagerHash, Hmac};
use subtle::ConstantTimeEq;

use super::{HashWork, Outcome};

/// Most iterations a stored hash may ask for (Django 5.2 uses 1,000,000; 6.1 1,500,000); a
/// larger value is treated as unusable rather than letting one row pin a core for minutes.
const MAX_ITERATIONS: u32 = 10_000_000;

pub(super) fn verify<D>(password: &str, rest: &str, algorithm: &'static str) -> Option<Outcome>
where
    D: EagerHash,
    Hmac<D>: KeyInit + Update + FixedOutput + Clone,
{
    let mut fields = rest.splitn(3, '$');
    let iterations: u32 = fields.next()?.parse().ok()?;
    let salt = fields.next()?;
    let expected = base64::engine::general_purpose::STANDARD
        .decode(fields.next()?)
        .ok()?;
    if iterations == 0 || iterations > MAX_ITERATIONS || expected.is_empty() || expected.len() > 64
    {
        return None;
    }
    let mut derived = vec![0u8; expected.len()];
    pbkdf2::pbkdf2_hmac::<D>(
        password.as_bytes(),
        salt.as_bytes(),
        iterations,
        &mut derived,
    );
    Some(Outcome {
        matches: derived.ct_eq(&expected).into(),
        work: work(algorithm, iterations),
    })
}

/// The work one verification of a PBKDF2 hash with `iterations` costs.
pub(in crate::password) fn work(algorithm: &'static str, iterations: u32) -> HashWork {
    HashWork {
        algorithm,
        params: format!("iterations={iterations}"),
    }
}

/// Django's `PBKDF2PasswordHasher.encode`: a fresh 22-character salt of `[a-zA-Z0-9]` (128 bits,
/// as Django 3.2+ makes them), the padded standard base64 of the 32-byte SHA-256 derivation.
pub(in crate::password) fn encode_sha256(password: &str, iterations: u32) -> String {
    let salt = random_salt();
    let mut derived = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(
        password.as_bytes(),
        salt.as_bytes(),
        iterations,
        &mut derived,
    );
    let hash = base64::engine::general_purpose::STANDARD.encode(derived);
    format!("pbkdf2_sha256${iterations}${salt}${hash}")
}

/// `get_random_string(22)`: uniform over 62 characters (bytes ≥ 248 are drawn again, so the
/// modulo does not favour any).
fn random_salt() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut salt = String::with_capacity(22);
    while salt.len() < 22 {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the OS random generator answers");
        for b in bytes.into_iter().filter(|b| *b < 248) {
            if salt.len() < 22 {
                salt.push(char::from(ALPHABET[usize::from(b % 62)]));
            }
        }
    }
    salt
}
