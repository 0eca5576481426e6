//! Password hashes in Django's encoded form.
//!
//! New hashes are Argon2id (or, serving a live Django site's users, Django's `pbkdf2_sha256`),
//! written as Django's `Argon2PasswordHasher` writes them
//! (`argon2$argon2id$v=19$m=…,t=…,p=…$salt$hash`) so the database stays readable by Django.
//! Every Django hash verifies as it is ([`django`]: PBKDF2, Argon2, bcrypt, scrypt and the
//! legacy MD5/SHA-1 formats); one of another algorithm or weaker parameters asks for a re-hash.
//!
//! Every verification reports the [`HashWork`] it did. A login for an unknown user, or for a
//! stored value that is not a usable hash, verifies a dummy hash made with the configured
//! parameters, so it costs the same work as a wrong password.

mod django;
pub mod rules;

use argon2::password_hash::PasswordHasher as _;
use argon2::{Algorithm, Argon2, Params, Version};

use crate::settings::Hashing;

/// What one verification computed: the algorithm and its cost parameters.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HashWork {
    pub algorithm: &'static str,
    pub params: String,
}

/// The outcome of checking a password.
#[derive(Clone, Debug)]
pub struct Verification {
    pub matches: bool,
    /// The stored hash is older or weaker than the configured one (Django's `must_update`).
    pub needs_rehash: bool,
    pub work: HashWork,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid Argon2 parameters: {0}")]
pub struct HasherError(String);

/// What new hashes are.
#[derive(Clone, Debug)]
enum Scheme {
    /// jwtd's own users: Argon2id with the configured parameters.
    Argon2id(Params),
    /// A live Django site's users (the Django-database mode): Django's default hasher, which
    /// the site itself verifies, at the site's iteration count.
    Pbkdf2Sha256 { iterations: u32 },
}

/// Hashes new passwords with the configured scheme and verifies stored ones.
pub struct Hasher {
    scheme: Scheme,
    dummy: String,
}

impl Hasher {
    /// New hashes are Argon2id with `cfg`'s parameters.
    pub fn new(cfg: &Hashing) -> Result<Self, HasherError> {
        let params = Params::new(cfg.memory_kib, cfg.iterations, cfg.parallelism, None)
            .map_err(|e| HasherError(e.to_string()))?;
        Ok(Hasher::with_scheme(Scheme::Argon2id(params)))
    }

    /// New hashes are Django's `pbkdf2_sha256` at `iterations` (the Django-database mode). The
    /// dummy hash is one too, so a login for a user the site does not have costs what one for
    /// a user it has does.
    pub fn django_pbkdf2_sha256(iterations: u32) -> Self {
        Hasher::with_scheme(Scheme::Pbkdf2Sha256 { iterations })
    }

    fn with_scheme(scheme: Scheme) -> Self {
        let mut hasher = Hasher {
            scheme,
            dummy: String::new(),
        };
        hasher.dummy = hasher.hash("jwtd dummy password: no user has it");
        hasher
    }

    /// A new hash in Django's encoding with a random salt.
    pub fn hash(&self, password: &str) -> String {
        match &self.scheme {
            Scheme::Argon2id(params) => {
                let phc = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
                    .hash_password(password.as_bytes())
                    .expect("Argon2 with validated parameters and a fresh salt cannot fail");
                format!("argon2{phc}")
            }
            Scheme::Pbkdf2Sha256 { iterations } => {
                django::encode_pbkdf2_sha256(password, *iterations)
            }
        }
    }

    /// Checks `password` against a stored hash, or against the dummy hash when `stored` is
    /// `None` (no such user) or not a hash jwtd can verify. Constant-time comparison throughout.
    pub fn verify(&self, password: &str, stored: Option<&str>) -> Verification {
        if let Some(outcome) = stored.and_then(|s| django::verify(password, s)) {
            let needs_rehash = outcome.work != self.work();
            return Verification {
                matches: outcome.matches,
                needs_rehash,
                work: outcome.work,
            };
        }
        let dummy = django::verify(password, &self.dummy).expect("the dummy hash is well formed");
        Verification {
            matches: false,
            needs_rehash: false,
            work: dummy.work,
        }
    }

    /// A Django `pbkdf2_sha256` hash (Django's default hasher; 5.2 uses 1,000,000 iterations).
    pub fn hash_pbkdf2_sha256(password: &str, iterations: u32) -> String {
        django::encode_pbkdf2_sha256(password, iterations)
    }

    /// The Django hasher `stored` names (`pbkdf2_sha256`, `unsalted_md5`, …), from its form
    /// alone — no hashing, so an importer can sort 100,000 rows in no time; `None` for unusable
    /// passwords and unknown formats.
    pub fn identify(stored: &str) -> Option<&'static str> {
        django::identify(stored)
    }

    /// Whether `stored` is a hash jwtd can verify: its form and its fields (salt, parameters,
    /// digest). Costs one verification with the hash's own parameters.
    pub fn can_verify(stored: &str) -> bool {
        django::verify("", stored).is_some()
    }

    /// The work one verification of a newly made hash costs.
    pub fn work(&self) -> HashWork {
        match &self.scheme {
            Scheme::Argon2id(params) => django::argon2_work("argon2id", params, 0x13),
            Scheme::Pbkdf2Sha256 { iterations } => {
                django::pbkdf2_work("pbkdf2_sha256", *iterations)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> Hasher {
        Hasher::new(&Hashing {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
            ..Hashing::default()
        })
        .unwrap()
    }

    #[test]
    fn new_hashes_are_django_argon2id_and_verify() {
        let h = cheap();
        let encoded = h.hash("s3cret");
        assert!(
            encoded.starts_with("argon2$argon2id$v=19$m=64,t=1,p=1$"),
            "{encoded}"
        );
        let ok = h.verify("s3cret", Some(&encoded));
        assert!(ok.matches && !ok.needs_rehash);
        assert!(!h.verify("s3cret ", Some(&encoded)).matches);
        assert_ne!(encoded, h.hash("s3cret"), "salts differ");
    }

    #[test]
    fn unknown_users_and_unusable_hashes_cost_a_real_hash() {
        let h = cheap();
        let real = h.verify("x", Some(&h.hash("y")));
        for stored in [
            None,
            Some("!unusable"),
            Some(""),
            Some("md5$salt$abc"),
            Some("!cWvQF1jc8rUpM0GtIO6isjxiaWVHYfvQfM3aVy4n"),
            Some("argon2$junk"),
        ] {
            let v = h.verify("x", stored);
            assert!(!v.matches);
            assert_eq!(v.work, real.work, "{stored:?}");
        }
    }

    #[test]
    fn django_pbkdf2_hashes_are_made_as_django_makes_them() {
        let encoded = Hasher::hash_pbkdf2_sha256("s3cret", 1000);
        let fields: Vec<&str> = encoded.split('$').collect();
        assert_eq!(fields[..2], ["pbkdf2_sha256", "1000"]);
        assert_eq!(fields[2].len(), 22);
        assert!(fields[2].bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(fields[3].len(), 44, "padded base64 of 32 bytes");
        assert!(cheap().verify("s3cret", Some(&encoded)).matches);
        assert!(!cheap().verify("s3cret!", Some(&encoded)).matches);
        assert_ne!(
            encoded,
            Hasher::hash_pbkdf2_sha256("s3cret", 1000),
            "salts differ"
        );
    }

    #[test]
    fn weaker_hashes_ask_for_a_rehash() {
        let h = cheap();
        let stronger = Hasher::new(&Hashing {
            memory_kib: 128,
            iterations: 1,
            parallelism: 1,
            ..Hashing::default()
        })
        .unwrap();
        let v = stronger.verify("pw", Some(&h.hash("pw")));
        assert!(v.matches && v.needs_rehash);
    }

    #[test]
    fn the_django_scheme_writes_and_asks_for_djangos_hash() {
        let h = Hasher::django_pbkdf2_sha256(1000);
        let encoded = h.hash("pw");
        assert!(encoded.starts_with("pbkdf2_sha256$1000$"), "{encoded}");
        let same = h.verify("pw", Some(&encoded));
        assert!(same.matches && !same.needs_rehash);
        let argon = h.verify("pw", Some(&cheap().hash("pw")));
        assert!(argon.matches && argon.needs_rehash, "another algorithm");
        let fewer = h.verify("pw", Some(&Hasher::hash_pbkdf2_sha256("pw", 999)));
        assert!(fewer.matches && fewer.needs_rehash, "other iterations");
        assert_eq!(
            h.verify("pw", None).work,
            same.work,
            "unknown users cost the same"
        );
    }
}
