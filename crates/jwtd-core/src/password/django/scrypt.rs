//! `scrypt$<N>$<salt>$<r>$<p>$<base64 hash>` (Django ≥ 4.0; 5.2's default N = 2^14, r = 8,
//! p = 5, a 64-byte hash).

use base64::Engine;
use subtle::ConstantTimeEq;

use super::{HashWork, Outcome};

/// Most memory a stored hash may make one check use (128 · N · r bytes): 256 MiB. Django's
/// default needs 16 MiB.
const MAX_MEMORY_BYTES: u64 = 256 * 1024 * 1024;

pub(super) fn verify(password: &str, rest: &str) -> Option<Outcome> {
    let mut fields = rest.splitn(5, '$');
    let n: u64 = fields.next()?.parse().ok()?;
    let salt = fields.next()?;
    let r: u32 = fields.next()?.parse().ok()?;
    let p: u32 = fields.next()?.parse().ok()?;
    let expected = base64::engine::general_purpose::STANDARD
        .decode(fields.next()?)
        .ok()?;
    if !n.is_power_of_two()
        || n < 2
        || 128 * n * u64::from(r) > MAX_MEMORY_BYTES
        || p > 16
        || expected.is_empty()
        || expected.len() > 128
    {
        return None;
    }
    let log_n = u8::try_from(n.trailing_zeros()).ok()?;
    let params = scrypt::Params::new(log_n, r, p).ok()?;
    let mut derived = vec![0u8; expected.len()];
    scrypt::scrypt(password.as_bytes(), salt.as_bytes(), &params, &mut derived).ok()?;
    Some(Outcome {
        matches: derived.ct_eq(&expected).into(),
        work: HashWork {
            algorithm: "scrypt",
            params: format!("n={n},r={r},p={p}"),
        },
    })
}
