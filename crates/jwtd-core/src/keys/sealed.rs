//! Private keys at rest: AES-256-GCM under a key-encryption key kept outside the database, so
//! a dump of the key table alone reveals no signing key.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::hkdf::{HKDF_SHA256, Salt};
use base64::Engine;
use zeroize::Zeroizing;

use super::KeyError;
use super::private::b64url;

/// The version tag of the sealed format: `v1.` + base64url(nonce ‖ ciphertext ‖ tag).
const V1: &str = "v1.";

/// The key-encryption key, derived from `keys.encryption_key` (or the generated file) with
/// HKDF-SHA256, so any high-entropy string of at least 32 bytes serves.
pub struct KeyEncryptionKey(LessSafeKey);

impl KeyEncryptionKey {
    pub fn derive(secret: &[u8]) -> KeyEncryptionKey {
        let prk = Salt::new(HKDF_SHA256, b"jwtd signing keys").extract(secret);
        let okm = prk
            .expand(&[b"aes-256-gcm v1"], &AES_256_GCM)
            .expect("32 bytes is within HKDF-SHA256's output limit");
        KeyEncryptionKey(LessSafeKey::new(UnboundKey::from(okm)))
    }

    /// Encrypts `plaintext`, bound to `kid` (the associated data): a sealed key copied onto
    /// another row does not open.
    pub fn seal(&self, kid: &str, plaintext: &[u8]) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        aws_lc_rs::rand::fill(&mut nonce).expect("the system RNG works");
        let mut data = plaintext.to_vec();
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(kid.as_bytes()),
                &mut data,
            )
            .expect("AES-GCM seals any message under 64 GiB");
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&data);
        format!("{V1}{}", b64url(&sealed))
    }

    /// Decrypts what [`KeyEncryptionKey::seal`] made for `kid`; a wrong key-encryption key, a
    /// changed byte or another row's kid all fail.
    pub fn open(&self, kid: &str, sealed: &str) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let failed = || KeyError::Sealed(kid.to_owned());
        let body = sealed.strip_prefix(V1).ok_or_else(failed)?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| failed())?;
        if bytes.len() < NONCE_LEN {
            return Err(failed());
        }
        let (nonce, data) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| failed())?;
        let mut data = Zeroizing::new(data.to_vec());
        let plain_len = self
            .0
            .open_in_place(nonce, Aad::from(kid.as_bytes()), &mut data)
            .map_err(|_| failed())?
            .len();
        data.truncate(plain_len);
        Ok(data)
    }
}
