//! Django's encoded password formats (`<algorithm>$<fields>`), verified in constant time.

use argon2::password_hash::PasswordVerifier as _;
use argon2::password_hash::phc::PasswordHash;
use argon2::{Argon2, Params};
use base64::Engine;
use subtle::ConstantTimeEq;

use super::HashWork;

pub(super) struct Outcome {
    pub matches: bool,
    pub work: HashWork,
}

/// Most PBKDF2 iterations a stored hash may ask for (Django 5.2 uses 1,000,000); a larger
/// value is treated as unusable rather than letting one row pin a core for minutes.
const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;

/// Verifies `password` against a Django-encoded hash; `None` when the format is not one jwtd
/// verifies (unusable `!…` passwords, legacy unsalted formats, garbage).
pub(super) fn verify(password: &str, encoded: &str) -> Option<Outcome> {
    let (algorithm, rest) = encoded.split_once('$')?;
    match algorithm {
        "argon2" => verify_argon2(password, rest),
        "pbkdf2_sha256" => verify_pbkdf2_sha256(password, rest),
        _ => None,
    }
}

pub(super) fn argon2_work(m: u32, t: u32, p: u32) -> HashWork {
    HashWork {
        algorithm: "argon2id",
        params: format!("m={m},t={t},p={p}"),
    }
}

/// `argon2$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>`: argon2-cffi's PHC string after the prefix.
fn verify_argon2(password: &str, phc: &str) -> Option<Outcome> {
    let phc = format!("${phc}");
    let hash = PasswordHash::new(&phc).ok()?;
    if hash.algorithm.as_str() != "argon2id" && hash.algorithm.as_str() != "argon2i" {
        return None;
    }
    let params = Params::try_from(&hash).ok()?;
    let algorithm = if hash.algorithm.as_str() == "argon2id" {
        "argon2id"
    } else {
        "argon2i"
    };
    let work = HashWork {
        algorithm,
        params: argon2_work(params.m_cost(), params.t_cost(), params.p_cost()).params,
    };
    hash.hash.as_ref()?;
    let matches = Argon2::default()
        .verify_password(password.as_bytes(), &hash)
        .is_ok();
    Some(Outcome { matches, work })
}

/// `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>`; the salt is used as its ASCII bytes.
fn verify_pbkdf2_sha256(password: &str, rest: &str) -> Option<Outcome> {
    let mut fields = rest.splitn(3, '$');
    let iterations: u32 = fields.next()?.parse().ok()?;
    let salt = fields.next()?;
    let expected = base64::engine::general_purpose::STANDARD
        .decode(fields.next()?)
        .ok()?;
    if iterations == 0
        || iterations > MAX_PBKDF2_ITERATIONS
        || expected.is_empty()
        || expected.len() > 64
    {
        return None;
    }
    let mut derived = vec![0u8; expected.len()];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(
        password.as_bytes(),
        salt.as_bytes(),
        iterations,
        &mut derived,
    );
    Some(Outcome {
        matches: derived.ct_eq(&expected).into(),
        work: HashWork {
            algorithm: "pbkdf2_sha256",
            params: format!("iterations={iterations}"),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Golden values from Python: hashlib.pbkdf2_hmac("sha256", b"correct horse",
    // b"PV5ybXrCMVWe5KajpLOU1q", 1000) and argon2-cffi's low_level.hash_secret (what Django's
    // Argon2PasswordHasher calls), both base64-encoded the way Django stores them.
    const DJANGO_PBKDF2: &str =
        "pbkdf2_sha256$1000$PV5ybXrCMVWe5KajpLOU1q$f882667O2RyXBTl02c7ELVatrwdot0kDmpB0Fl/Ph8Y=";
    const DJANGO_ARGON2: &str = "argon2$argon2id$v=19$m=512,t=2,p=2$c2FsdHNhbHRzYWx0c2FsdDIyY2hhcnM$9vvY2C9CT/NYrIm5B9Awug4scxfoCo/UGgMvkLCkkY4";

    #[test]
    fn pbkdf2_sha256_verifies_djangos_hashes() {
        let ok = verify("correct horse", DJANGO_PBKDF2).unwrap();
        assert!(ok.matches);
        assert_eq!(ok.work.params, "iterations=1000");
        assert!(!verify("wrong horse", DJANGO_PBKDF2).unwrap().matches);
        assert!(verify("x", "pbkdf2_sha256$0$salt$AAAA").is_none());
        assert!(verify("x", "pbkdf2_sha256$abc$salt$AAAA").is_none());
    }

    #[test]
    fn argon2_verifies_argon2_cffi_hashes() {
        let ok = verify("correct horse", DJANGO_ARGON2).unwrap();
        assert!(ok.matches);
        assert_eq!(ok.work, argon2_work(512, 2, 2));
        assert!(!verify("correct horse!", DJANGO_ARGON2).unwrap().matches);
    }
}
