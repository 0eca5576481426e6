//! Signing keys at run time. Where the ring comes from, in one place ([`initial_ring`]):
//! * an HS `algorithm`: `signing_key` (or `signing_key_file`, or the generated
//!   `<data_dir>/signing_key`), plus `previous_signing_keys`;
//! * an asymmetric `algorithm` with `signing_key`/`signing_key_file`: that PEM key alone, as
//!   SimpleJWT's `SIGNING_KEY` (tokens without a `kid` verify against it too);
//! * an asymmetric `algorithm` without one: the key set in the store ([`KeySet`]), kept
//!   current on every instance by [`refresh::keep_current`].

mod kek;
pub mod refresh;
mod set;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use jwtd_core::Settings;
use jwtd_core::keys::{KeyRing, PrivateKey, PublishedKey, public_pem_thumbprint};
use jwtd_core::settings::Secret;
use jwtd_store::{Store, StoredKey};

pub use set::{KeyChangeError, KeySet, KeyView, Retirement, Rotation};

use crate::keyfile;

/// A key set to keep current, and the live keys of the ring made from it at start.
pub struct LiveKeySet {
    pub set: KeySet,
    pub live: Vec<StoredKey>,
}

/// The ring to start with, and the key set when there is one to keep current. A key set with
/// no key yet gets its first `current` key here.
pub async fn initial_ring(
    settings: &Settings,
    store: &Arc<dyn Store>,
    now: i64,
) -> anyhow::Result<(KeyRing, Option<LiveKeySet>)> {
    let previous: Vec<Vec<u8>> = settings
        .previous_signing_keys
        .iter()
        .map(|Secret(s)| s.as_bytes().to_vec())
        .collect();
    let configured = inline_or_file(
        "signing_key",
        settings.signing_key.as_ref().map(|Secret(s)| s.as_str()),
        settings.signing_key_file.as_ref(),
    )?;
    if settings.algorithm.is_hmac() {
        let secret = match configured {
            Some(secret) if secret.len() < 32 => {
                bail!("setting `signing_key_file`: the key must be at least 32 bytes long")
            }
            Some(secret) => secret.into_bytes(),
            None => generated_hs_secret(settings)?,
        };
        return Ok((KeyRing::hmac(settings.algorithm, &secret, &previous), None));
    }
    if let Some(pem) = configured {
        return Ok((static_ring(settings, &pem, &previous)?, None));
    }
    let set = KeySet::open(settings, Arc::clone(store))?;
    set.bootstrap(now).await?;
    let keys = set.keys().await?;
    let ring = set.ring_from(&keys, now)?;
    let live = set.live(&keys, now).into_iter().cloned().collect();
    Ok((ring, Some(LiveKeySet { set, live })))
}

/// The secret every instance of this deployment shares whatever signs: the HS key, the PEM
/// key, or the key set's key-encryption secret. Other keys (the CSRF key) are derived from it.
pub fn deployment_secret(settings: &Settings) -> anyhow::Result<Vec<u8>> {
    let configured = inline_or_file(
        "signing_key",
        settings.signing_key.as_ref().map(|Secret(s)| s.as_str()),
        settings.signing_key_file.as_ref(),
    )?;
    match configured {
        Some(secret) => Ok(secret.into_bytes()),
        None if settings.algorithm.is_hmac() => generated_hs_secret(settings),
        None => kek::secret(settings),
    }
}

/// SimpleJWT's `SIGNING_KEY` as PEM: one key, published, and trusted for kid-less tokens.
fn static_ring(settings: &Settings, pem: &str, previous: &[Vec<u8>]) -> anyhow::Result<KeyRing> {
    let key =
        PrivateKey::from_pem(pem, Some(settings.algorithm)).context("setting `signing_key`")?;
    let verifying = inline_or_file(
        "verifying_key",
        settings.verifying_key.as_deref(),
        settings.verifying_key_file.as_ref(),
    )?;
    if let Some(public) = verifying {
        let thumbprint = public_pem_thumbprint(&public, settings.algorithm)
            .context("setting `verifying_key`")?;
        if thumbprint != key.kid() {
            bail!("setting `verifying_key`: it is not the public half of `signing_key`");
        }
    }
    tracing::info!(kid = key.kid(), algorithm = %key.algorithm(), "signing with the configured key");
    let published = PublishedKey {
        algorithm: key.algorithm(),
        jwk: key.public_jwk().clone(),
        accepts_kidless: true,
    };
    Ok(KeyRing::asymmetric(&key, vec![published], previous)?)
}

fn generated_hs_secret(settings: &Settings) -> anyhow::Result<Vec<u8>> {
    let path = settings.data_dir.join("signing_key");
    let (key, created) = keyfile::load_or_create(&path, "signing key")?;
    if created {
        tracing::info!(path = %path.display(), "generated a new signing key (mode 0600)");
    } else {
        tracing::info!(path = %path.display(), "using the signing key");
    }
    Ok(key)
}

/// A secret or PEM setting given inline or as `<key>_file`.
fn inline_or_file(
    key: &str,
    inline: Option<&str>,
    file: Option<&PathBuf>,
) -> anyhow::Result<Option<String>> {
    match (inline, file) {
        (Some(text), _) => Ok(Some(text.to_owned())),
        (None, Some(path)) => std::fs::read_to_string(path)
            .map(|text| Some(text.trim_end_matches(['\n', '\r']).to_owned()))
            .with_context(|| format!("setting `{key}_file`: cannot read {}", path.display())),
        (None, None) => Ok(None),
    }
}
