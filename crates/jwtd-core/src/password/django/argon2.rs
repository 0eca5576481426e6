//! `argon2$<argon2-cffi PHC string>`: argon2id (Django ≥ 3.2) and argon2i (1.10–3.1), hash
//! lengths 16 and 32, with `v=19`, or without a version — argon2-cffi before 16.0 wrote none,
//! which means version 0x10 (the `argon2` crate would assume 0x13).

use argon2::password_hash::PasswordVerifier as _;
use argon2::password_hash::phc::PasswordHash;
use argon2::{Argon2, Params};

use super::{HashWork, Outcome};

/// Most memory (KiB) a stored hash may ask for: 1 GiB. Django's default is 100 MiB.
const MAX_MEMORY_KIB: u32 = 1024 * 1024;

/// The work of an Argon2 check; the version and output length are part of it, as in Django's
/// `must_update`.
pub(in crate::password) fn work(variant: &'static str, params: &Params, version: u32) -> HashWork {
    HashWork {
        algorithm: variant,
        params: format!(
            "m={},t={},p={},v={version},len={}",
            params.m_cost(),
            params.t_cost(),
            params.p_cost(),
            params.output_len().unwrap_or(32)
        ),
    }
}

pub(super) fn verify(password: &str, phc: &str) -> Option<Outcome> {
    let (variant, fields) = phc.split_once('$')?;
    let variant = match variant {
        "argon2id" => "argon2id",
        "argon2i" => "argon2i",
        _ => return None,
    };
    // A PHC string without `v=` is version 0x10: say so, so the crate does not assume 0x13.
    let phc = if fields.starts_with("v=") {
        format!("${variant}${fields}")
    } else {
        format!("${variant}$v=16${fields}")
    };
    let hash = PasswordHash::new(&phc).ok()?;
    let output = hash.hash.as_ref()?;
    let params = Params::try_from(&hash).ok()?;
    if params.m_cost() > MAX_MEMORY_KIB {
        return None;
    }
    let params = Params::new(
        params.m_cost(),
        params.t_cost(),
        params.p_cost(),
        Some(output.len()),
    )
    .ok()?;
    let version = hash.version.unwrap_or(0x13);
    let matches = Argon2::default()
        .verify_password(password.as_bytes(), &hash)
        .is_ok();
    Some(Outcome {
        matches,
        work: work(variant, &params, version),
    })
}
