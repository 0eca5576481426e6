//! The key set in the store: its life cycle `next` → `current` → `retired` → removed, shared by
//! every instance on the database. Each change is one conditional write, so two instances (or
//! an instance and the CLI) racing cannot both rotate.

use std::sync::Arc;

use anyhow::{Context, anyhow, bail};
use jwtd_core::Settings;
use jwtd_core::keys::{Algorithm, KeyEncryptionKey, KeyRing, PrivateKey, PublishedKey};
use jwtd_core::settings::{Secret, whole_seconds};
use jwtd_store::{KeyOrigin, KeyState, Store, StoredKey};
use serde::Serialize;

use super::kek;

pub struct KeySet {
    store: Arc<dyn Store>,
    kek: KeyEncryptionKey,
    algorithm: Algorithm,
    publish_delay: i64,
    rotate_every: Option<i64>,
    /// A retired key verifies this long after it stopped signing.
    longest_life: i64,
    previous: Vec<Vec<u8>>,
}

/// A key as `jwtd keys list` shows it.
#[derive(Debug, Serialize)]
pub struct KeyView {
    pub kid: String,
    pub algorithm: String,
    pub state: &'static str,
    pub origin: &'static str,
    pub created_at: i64,
    pub activated_at: Option<i64>,
    pub retired_at: Option<i64>,
    /// When a retired key leaves the JWKS and stops verifying.
    pub retires_at: Option<i64>,
    /// When a `next` key may be made current.
    pub ready_at: Option<i64>,
}

/// What `rotate` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Rotation {
    /// `current` now signs; `retired` (the former signer) still verifies.
    Rotated {
        current: String,
        retired: Option<String>,
    },
    /// The oldest `next` key has not been published for `keys.publish_delay` yet.
    TooSoon { kid: String, wait: i64 },
    /// There was no `next` key: one was made, to be published first.
    Prepared { kid: String, ready_at: i64 },
}

/// Why a change to the key set was refused (the CLI prints it; the admin API answers it).
#[derive(Debug, thiserror::Error)]
pub enum KeyChangeError {
    #[error("no key {0:?} in the key set (see `jwtd keys list`)")]
    NoSuchKey(String),
    #[error(
        "key {0} signs new tokens: rotate to another key first (`jwtd keys rotate`), then retire it"
    )]
    Signing(String),
    #[error(
        "key {0} is already retired and leaves the key set once its tokens expire; `--revoke` removes it now, refusing them"
    )]
    AlreadyRetired(String),
    #[error(
        "the key set changed meanwhile (another instance or command changed it); see `jwtd keys list`"
    )]
    Changed,
    #[error(
        "{0} signs with a shared secret, which is never published; choose an asymmetric algorithm"
    )]
    Symmetric(Algorithm),
    #[error(transparent)]
    Store(#[from] jwtd_store::StoreError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// What `retire` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Retirement {
    /// A `next` key that never signed, withdrawn from the JWKS.
    Withdrawn,
    /// A retired key removed before its tokens expired: they are refused from now on.
    Revoked,
}

impl KeySet {
    pub fn open(settings: &Settings, store: Arc<dyn Store>) -> anyhow::Result<KeySet> {
        Ok(KeySet {
            store,
            kek: kek::load(settings)?,
            algorithm: settings.algorithm,
            publish_delay: whole_seconds(settings.keys.publish_delay),
            rotate_every: settings.keys.rotate_every.map(whole_seconds),
            longest_life: whole_seconds(settings.longest_token_life()),
            previous: settings
                .previous_signing_keys
                .iter()
                .map(|Secret(s)| s.as_bytes().to_vec())
                .collect(),
        })
    }

    pub async fn keys(&self) -> anyhow::Result<Vec<StoredKey>> {
        Ok(self.store.signing_keys().await?)
    }

    pub fn view(&self, key: &StoredKey) -> KeyView {
        KeyView {
            kid: key.kid.clone(),
            algorithm: key.algorithm.clone(),
            state: key.state.as_str(),
            origin: key.origin.as_str(),
            created_at: key.created_at,
            activated_at: key.activated_at,
            retired_at: key.retired_at,
            retires_at: key.retired_at.map(|at| at + self.longest_life),
            ready_at: (key.state == KeyState::Next).then(|| key.created_at + self.publish_delay),
        }
    }

    /// Gives a key set without a signing key one: its oldest `next` key (e.g. one imported
    /// before the first start), else a new key — current at once either way, since no token
    /// has been signed yet for a verifier to be surprised by.
    pub async fn bootstrap(&self, now: i64) -> anyhow::Result<()> {
        let keys = self.keys().await?;
        if keys.iter().any(|k| k.state == KeyState::Current) {
            return Ok(());
        }
        if let Some(next) = keys.iter().find(|k| k.state == KeyState::Next) {
            self.unseal(next)?;
            // Another instance starting at the same moment may win; its choice is as good.
            if self
                .store
                .activate_signing_key(&next.kid, None, now)
                .await?
            {
                tracing::info!(kid = %next.kid, "the first signing key: the next key signs now");
            }
            return Ok(());
        }
        let key = PrivateKey::generate(self.algorithm)?;
        let mut row = self.row(&key, KeyOrigin::Generated, now);
        row.state = KeyState::Current;
        row.activated_at = Some(now);
        if self.store.add_signing_key(&row).await? {
            tracing::info!(kid = key.kid(), algorithm = %self.algorithm, "generated the first signing key");
        }
        Ok(())
    }

    /// The ring for `now` from the `keys` read: the current key signs; every `next`,
    /// `current` and unexpired `retired` key verifies and is published.
    pub fn ring_from(&self, keys: &[StoredKey], now: i64) -> anyhow::Result<KeyRing> {
        let current = keys
            .iter()
            .find(|k| k.state == KeyState::Current)
            .ok_or_else(|| {
                anyhow!("the key set has no current signing key (`jwtd keys rotate --now`)")
            })?;
        let signer = self.unseal(current)?;
        let published = self
            .live(keys, now)
            .into_iter()
            .map(|k| {
                Ok(PublishedKey {
                    algorithm: k.algorithm.parse().map_err(|e: String| anyhow!(e))?,
                    jwk: serde_json::from_str(&k.public_jwk)
                        .with_context(|| format!("the stored JWK of key {}", k.kid))?,
                    accepts_kidless: k.origin == KeyOrigin::Imported,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(KeyRing::asymmetric(&signer, published, &self.previous)?)
    }

    /// Adds a `next` key (`algorithm`: the deployment's by default). Returns its kid, or `None`
    /// when the store refused it (an automatic key another instance already made).
    pub async fn generate(
        &self,
        algorithm: Option<Algorithm>,
        origin: KeyOrigin,
        now: i64,
    ) -> Result<Option<String>, KeyChangeError> {
        let algorithm = algorithm.unwrap_or(self.algorithm);
        if algorithm.is_hmac() {
            return Err(KeyChangeError::Symmetric(algorithm));
        }
        let key = PrivateKey::generate(algorithm).map_err(anyhow::Error::from)?;
        let added = self
            .store
            .add_signing_key(&self.row(&key, origin, now))
            .await?;
        Ok(added.then(|| key.kid().to_owned()))
    }

    /// Adds a PEM private key from another system as a `next` key.
    pub async fn import(
        &self,
        pem: &str,
        algorithm: Option<Algorithm>,
        now: i64,
    ) -> anyhow::Result<String> {
        let key = PrivateKey::from_pem(pem, algorithm)?;
        if !self
            .store
            .add_signing_key(&self.row(&key, KeyOrigin::Imported, now))
            .await?
        {
            bail!("key {} is already in the key set", key.kid());
        }
        Ok(key.kid().to_owned())
    }

    /// Makes the oldest `next` key `current` once it has been published for
    /// `keys.publish_delay` (at once with `force`); without one, makes one.
    pub async fn rotate(
        &self,
        now: i64,
        force: bool,
        origin: KeyOrigin,
    ) -> Result<Rotation, KeyChangeError> {
        let keys = self.store.signing_keys().await?;
        let current = keys
            .iter()
            .find(|k| k.state == KeyState::Current)
            .map(|k| k.kid.clone());
        let Some(next) = keys.iter().find(|k| k.state == KeyState::Next) else {
            let kid = self
                .generate(None, origin, now)
                .await?
                // Another instance is preparing a rotation at this very moment.
                .ok_or(KeyChangeError::Changed)?;
            return Ok(Rotation::Prepared {
                kid,
                ready_at: now + self.publish_delay,
            });
        };
        let ready_at = next.created_at + self.publish_delay;
        // With no current key nothing has been signed, so no verifier can be surprised.
        if now < ready_at && !force && current.is_some() {
            return Ok(Rotation::TooSoon {
                kid: next.kid.clone(),
                wait: ready_at - now,
            });
        }
        self.unseal(next)?; // never make current a key this instance could not sign with
        if !self
            .store
            .activate_signing_key(&next.kid, current.as_deref(), now)
            .await?
        {
            return Err(KeyChangeError::Changed);
        }
        Ok(Rotation::Rotated {
            current: next.kid.clone(),
            retired: current,
        })
    }

    /// Withdraws a `next` key, or with `revoke` removes a retired one early (its tokens are
    /// refused from then on: for a leaked key). The current key is never retired directly.
    pub async fn retire(&self, kid: &str, revoke: bool) -> Result<Retirement, KeyChangeError> {
        let keys = self.store.signing_keys().await?;
        let key = keys
            .iter()
            .find(|k| k.kid == kid)
            .ok_or_else(|| KeyChangeError::NoSuchKey(kid.to_owned()))?;
        match key.state {
            KeyState::Current => Err(KeyChangeError::Signing(kid.to_owned())),
            KeyState::Retired if !revoke => Err(KeyChangeError::AlreadyRetired(kid.to_owned())),
            state => {
                if !self.store.remove_signing_key(kid, state).await? {
                    return Err(KeyChangeError::Changed);
                }
                Ok(if state == KeyState::Next {
                    Retirement::Withdrawn
                } else {
                    Retirement::Revoked
                })
            }
        }
    }

    /// The periodic upkeep every instance runs on the `keys` it has just read: drop retired
    /// keys whose tokens have all expired, and with `keys.rotate_every` prepare and make the
    /// rotation when due. Writes only when there is something to do; whether it changed the set.
    pub async fn maintain(&self, keys: &[StoredKey], now: i64) -> anyhow::Result<bool> {
        let mut changed = false;
        if keys.len() > self.live(keys, now).len() {
            for kid in self
                .store
                .remove_expired_keys(now - self.longest_life)
                .await?
            {
                tracing::info!(%kid, "removed a retired signing key: every token it signed has expired");
                changed = true;
            }
        }
        let Some(every) = self.rotate_every else {
            return Ok(changed);
        };
        let Some(activated) = keys
            .iter()
            .find(|k| k.state == KeyState::Current)
            .and_then(|k| k.activated_at)
        else {
            return Ok(changed);
        };
        let has_next = keys.iter().any(|k| k.state == KeyState::Next);
        if !has_next && now >= activated + every - self.publish_delay {
            if let Some(kid) = self.generate(None, KeyOrigin::Automatic, now).await? {
                tracing::info!(%kid, "automatic rotation: published the next signing key");
                changed = true;
            }
        } else if has_next
            && now >= activated + every
            && let Ok(Rotation::Rotated { current, retired }) =
                self.rotate(now, false, KeyOrigin::Automatic).await
        {
            tracing::info!(%current, ?retired, "automatic rotation: the next key signs now");
            changed = true;
        }
        Ok(changed)
    }

    /// The keys that verify at `now`: all but retired keys whose tokens have all expired.
    pub fn live<'a>(&self, keys: &'a [StoredKey], now: i64) -> Vec<&'a StoredKey> {
        keys.iter()
            .filter(|k| k.retired_at.is_none_or(|at| at + self.longest_life >= now))
            .collect()
    }

    fn unseal(&self, key: &StoredKey) -> anyhow::Result<PrivateKey> {
        let algorithm: Algorithm = key.algorithm.parse().map_err(|e: String| anyhow!(e))?;
        let der = self.kek.open(&key.kid, &key.sealed_private_key)?;
        let private = PrivateKey::from_pkcs8(algorithm, &der)?;
        if private.kid() != key.kid {
            bail!(
                "signing key {}: the stored private key is another key's",
                key.kid
            );
        }
        Ok(private)
    }

    fn row(&self, key: &PrivateKey, origin: KeyOrigin, now: i64) -> StoredKey {
        StoredKey {
            kid: key.kid().to_owned(),
            algorithm: key.algorithm().name().to_owned(),
            state: KeyState::Next,
            origin,
            public_jwk: serde_json::to_string(key.public_jwk()).expect("JWKs serialize"),
            sealed_private_key: self.kek.seal(key.kid(), key.pkcs8()),
            created_at: now,
            activated_at: None,
            retired_at: None,
        }
    }
}
