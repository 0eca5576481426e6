//! The signing-key set shared by every instance on one database: public halves, private halves
//! sealed by the caller (the store never sees a usable private key), and each key's state.

use async_trait::async_trait;

use crate::Result;

/// Where a key is in its life: published → signing → verifying only → removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyState {
    /// Published in the JWKS, not signing yet.
    Next,
    /// Signs new tokens (one key at a time).
    Current,
    /// Still verifies the tokens it signed, until they have all expired.
    Retired,
}

impl KeyState {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyState::Next => "next",
            KeyState::Current => "current",
            KeyState::Retired => "retired",
        }
    }

    pub fn parse(text: &str) -> Option<KeyState> {
        [KeyState::Next, KeyState::Current, KeyState::Retired]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// How a key came to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyOrigin {
    /// Made by `jwtd keys generate` or at first start.
    Generated,
    /// Made by automatic rotation (at most one such `next` key at a time).
    Automatic,
    /// Brought from another system (`jwtd keys import`), whose tokens carry no `kid`.
    Imported,
}

impl KeyOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyOrigin::Generated => "generated",
            KeyOrigin::Automatic => "automatic",
            KeyOrigin::Imported => "imported",
        }
    }

    pub fn parse(text: &str) -> Option<KeyOrigin> {
        [
            KeyOrigin::Generated,
            KeyOrigin::Automatic,
            KeyOrigin::Imported,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredKey {
    /// The RFC 7638 thumbprint of the public key.
    pub kid: String,
    /// The JWS `alg` (`ES256`, `EdDSA`, …).
    pub algorithm: String,
    pub state: KeyState,
    pub origin: KeyOrigin,
    /// The public JWK, as published.
    pub public_jwk: String,
    /// The private key, sealed with the key-encryption key (never stored in the clear).
    pub sealed_private_key: String,
    pub created_at: i64,
    /// When it began to sign.
    pub activated_at: Option<i64>,
    /// When it stopped signing.
    pub retired_at: Option<i64>,
}

#[async_trait]
pub trait KeyStore: Send + Sync {
    /// Every key, oldest first.
    async fn signing_keys(&self) -> Result<Vec<StoredKey>>;
    /// Adds a key; `false` (nothing written) if its kid exists, or it would be a second
    /// `current` key or a second automatic `next` key — another instance got there first.
    async fn add_signing_key(&self, key: &StoredKey) -> Result<bool>;
    /// In one transaction: `next` key `kid` becomes `current` and the current key, which must
    /// be `replacing`, is retired. `false` (nothing changed) if either is no longer so — another
    /// instance rotated first.
    async fn activate_signing_key(
        &self,
        kid: &str,
        replacing: Option<&str>,
        now: i64,
    ) -> Result<bool>;
    /// Deletes key `kid` if it is in `state`.
    async fn remove_signing_key(&self, kid: &str, state: KeyState) -> Result<bool>;
    /// Deletes the keys retired before `retired_before`; their kids.
    async fn remove_expired_keys(&self, retired_before: i64) -> Result<Vec<String>>;
}
