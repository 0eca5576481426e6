//! Signing keys: algorithms, key pairs and their thumbprints, sealing at rest, and the ring a
//! deployment signs and verifies with. Pure: where keys are kept and when they rotate is the
//! server's business (`jwtd::keys`).

mod algorithm;
mod private;
mod ring;
mod sealed;
#[cfg(test)]
mod tests;

pub use algorithm::{Algorithm, Family};
pub use private::{PrivateKey, public_pem_thumbprint};
pub(crate) use ring::Unverified;
pub use ring::{KeyRing, PublishedKey};
pub use sealed::KeyEncryptionKey;

/// Why a key cannot be made, read or used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{0} signs with a shared secret, not a key pair")]
    NotAsymmetric(Algorithm),
    #[error("cannot generate a {0} key")]
    Generate(Algorithm),
    #[error("not a PEM document")]
    NotPem,
    #[error(
        "a PEM {0:?} is not a private key (expected PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY)"
    )]
    NotPrivatePem(String),
    #[error("cannot read {0}")]
    Unreadable(&'static str),
    #[error("{key} cannot sign {algorithm}")]
    WrongAlgorithm {
        key: &'static str,
        algorithm: Algorithm,
    },
    #[error("an RSA key of {0} bits is too weak (at least 2048)")]
    WeakRsa(usize),
    #[error(
        "cannot decrypt signing key {0}: the key-encryption key (`keys.encryption_key`, else <data_dir>/key_encryption_key; the same on every instance of a database) is not the one it was sealed with, or the row was altered"
    )]
    Sealed(String),
}
