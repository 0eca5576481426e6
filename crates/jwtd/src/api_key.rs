//! API keys: `jwtd_` and 43 base64url characters (256 random bits). The store keeps the
//! SHA-256 of a key, never the key: a key is shown once, when `jwtd api-key create` makes it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

const PREFIX: &str = "jwtd_";

/// A new random key.
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS random generator works");
    format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// What the store looks a key up by.
pub fn hash(key: &str) -> String {
    jwtd_core::hex::lower(&Sha256::digest(key.as_bytes()))
}

/// The first characters, shown in lists to tell keys apart.
pub fn prefix(key: &str) -> String {
    key.chars().take(PREFIX.len() + 6).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_are_random_and_hashed() {
        let (a, b) = (super::generate(), super::generate());
        assert_ne!(a, b);
        assert_eq!(a.len(), 5 + 43);
        assert_eq!(super::hash(&a).len(), 64);
        assert_eq!(super::prefix(&a), &a[..11]);
    }
}
