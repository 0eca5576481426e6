//! `[keys]`: the key set of an asymmetric deployment, and the signing-key settings SimpleJWT
//! has (`SIGNING_KEY` / `VERIFYING_KEY` as PEM).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{Secret, SettingsError, bad, duration};

/// How the key set of an asymmetric `algorithm` is kept and rotated.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KeySettings {
    /// The key-encryption key sealing private keys in the database (any string of at least 32
    /// bytes; every instance sharing a database needs the same). Unset: a random one is made
    /// on first use in `<data_dir>/key_encryption_key` (mode 0600).
    pub encryption_key: Option<Secret>,
    /// How long a `next` key is published before `jwtd keys rotate` may make it sign: longer
    /// than any verifier caches the JWKS (PyJWT's client: 5 min, plus `jwks_max_age` in HTTP
    /// caches).
    #[serde(with = "duration")]
    pub publish_delay: Duration,
    /// Rotate automatically this often (one instance does it); unset: only by hand.
    #[serde(with = "duration::optional")]
    pub rotate_every: Option<Duration>,
    /// `Cache-Control: max-age` of the JWKS document.
    #[serde(with = "duration")]
    pub jwks_max_age: Duration,
    /// How often each instance re-reads the key set (so a rotation made through one instance
    /// or the CLI reaches all); an unknown `kid` also re-reads it, at most once a second.
    #[serde(with = "duration")]
    pub reload_interval: Duration,
}

impl Default for KeySettings {
    fn default() -> Self {
        KeySettings {
            encryption_key: None,
            publish_delay: Duration::from_secs(10 * 60),
            rotate_every: None,
            jwks_max_age: Duration::from_secs(5 * 60),
            reload_interval: Duration::from_secs(10),
        }
    }
}

impl KeySettings {
    pub fn validate(&self) -> Result<(), SettingsError> {
        if let Some(Secret(key)) = &self.encryption_key
            && key.len() < 32
        {
            return Err(bad("keys.encryption_key", "must be at least 32 bytes long"));
        }
        if self.publish_delay < self.jwks_max_age {
            return Err(bad(
                "keys.publish_delay",
                "must be at least keys.jwks_max_age, or verifiers could meet a kid they have not fetched yet",
            ));
        }
        if let Some(every) = self.rotate_every
            && every <= self.publish_delay
        {
            return Err(bad(
                "keys.rotate_every",
                "must be longer than keys.publish_delay (the next key is published that long before it signs)",
            ));
        }
        if self.reload_interval.is_zero() {
            return Err(bad("keys.reload_interval", "must be more than zero"));
        }
        Ok(())
    }
}
