//! Generated secrets (the HS signing key, the key-encryption key): created once, random,
//! readable by the owner only.

use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use anyhow::{Context, bail};
use base64::Engine;

/// Reads the key at `path`, creating it (mode 0600) with 64 random bytes if it is missing.
/// Returns the key and whether it was just created.
pub fn load_or_create(path: &Path, what: &str) -> anyhow::Result<(Vec<u8>, bool)> {
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(mut file) => {
            let mut random = [0u8; 64];
            getrandom::fill(&mut random)
                .map_err(|e| anyhow::anyhow!("no randomness available for the {what}: {e}"))?;
            // Stored as text: SimpleJWT keys are strings, and this one can be copied into a
            // Django SIGNING_KEY during a migration.
            let key = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random);
            file.write_all(key.as_bytes())
                .and_then(|()| file.sync_all())
                .with_context(|| format!("cannot write the {what} {}", path.display()))?;
            Ok((key.into_bytes(), true))
        }
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            let mode = fs::metadata(path)?.permissions().mode();
            if mode & 0o077 != 0 {
                tracing::warn!(path = %path.display(), mode = format!("{:o}", mode & 0o777),
                    "the {what} is readable by other users; chmod 600 it");
            }
            let key = fs::read_to_string(path)
                .with_context(|| format!("cannot read the {what} {}", path.display()))?;
            let key = key.trim_end_matches(['\n', '\r']);
            if key.len() < 32 {
                bail!("the {what} {} is shorter than 32 bytes", path.display());
            }
            Ok((key.as_bytes().to_vec(), false))
        }
        Err(e) => Err(e).with_context(|| format!("cannot create the {what} {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_created_once_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("signing_key");
        let (first, created) = load_or_create(&path, "signing key").unwrap();
        assert!(created && first.len() >= 64);
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let (again, created) = load_or_create(&path, "signing key").unwrap();
        assert!(!created);
        assert_eq!(first, again);
    }
}
