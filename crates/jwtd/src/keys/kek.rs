//! The key-encryption key: `keys.encryption_key`, or a random one generated in
//! `<data_dir>/key_encryption_key` (mode 0600) — never in the database it protects.

use jwtd_core::Settings;
use jwtd_core::keys::KeyEncryptionKey;
use jwtd_core::settings::Secret;

use crate::keyfile;

pub fn load(settings: &Settings) -> anyhow::Result<KeyEncryptionKey> {
    Ok(KeyEncryptionKey::derive(&secret(settings)?))
}

/// The secret the key-encryption key is derived from.
pub fn secret(settings: &Settings) -> anyhow::Result<Vec<u8>> {
    if let Some(Secret(secret)) = &settings.keys.encryption_key {
        return Ok(secret.as_bytes().to_vec());
    }
    crate::server::prepare_data_dir(settings)?;
    let path = settings.data_dir.join("key_encryption_key");
    let (secret, created) = keyfile::load_or_create(&path, "key-encryption key")?;
    if created {
        tracing::info!(path = %path.display(),
            "generated a key-encryption key for the signing keys (mode 0600); instances sharing this database need the same one");
    }
    Ok(secret)
}
