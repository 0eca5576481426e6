//! A signing key pair: made here or brought as PEM, kept as PKCS#8, named by its thumbprint.

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING, EcdsaKeyPair,
    EcdsaSigningAlgorithm, Ed25519KeyPair,
};
use base64::Engine;
use jsonwebtoken::jwk::{Jwk, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{DecodingKey, EncodingKey};
use zeroize::Zeroizing;

use super::{Algorithm, Family, KeyError};

/// RSA keys jwtd makes, and the smallest it accepts (NIST SP 800-57: 2048 bits until 2030).
const RSA_BITS: usize = 2048;

/// A private key able to sign one algorithm, with its public JWK (`kid`, `alg`, `use: sig`).
pub struct PrivateKey {
    algorithm: Algorithm,
    pkcs8: Zeroizing<Vec<u8>>,
    encoding: EncodingKey,
    public: Jwk,
}

impl PrivateKey {
    /// A fresh random key for `algorithm` (P-256, P-384, Ed25519 or RSA-2048).
    pub fn generate(algorithm: Algorithm) -> Result<PrivateKey, KeyError> {
        let failed = |_| KeyError::Generate(algorithm);
        let der = match algorithm.family() {
            Family::Ec => EcdsaKeyPair::generate(ec_signing(algorithm))
                .and_then(|k| k.to_pkcs8v1())
                .map_err(failed)?
                .as_ref()
                .to_vec(),
            Family::Ed => Ed25519KeyPair::generate()
                .and_then(|k| k.to_pkcs8v1())
                .map_err(failed)?
                .as_ref()
                .to_vec(),
            Family::Rsa => {
                let pair = RsaKeyPair::generate(KeySize::Rsa2048).map_err(failed)?;
                AsDer::<Pkcs8V1Der>::as_der(&pair)
                    .map_err(failed)?
                    .as_ref()
                    .to_vec()
            }
            Family::Hmac => return Err(KeyError::NotAsymmetric(algorithm)),
        };
        PrivateKey::from_pkcs8(algorithm, &der)
    }

    /// A key stored as PKCS#8 DER (what [`PrivateKey::pkcs8`] gives).
    pub fn from_pkcs8(algorithm: Algorithm, der: &[u8]) -> Result<PrivateKey, KeyError> {
        let found = classify_pkcs8(der)?;
        if !fits(found, algorithm) {
            return Err(KeyError::WrongAlgorithm {
                key: found.describe(),
                algorithm,
            });
        }
        let pem = Zeroizing::new(pem::encode(&pem::Pem::new("PRIVATE KEY", der.to_vec())));
        let encoding = match algorithm.family() {
            Family::Ec => EncodingKey::from_ec_pem(pem.as_bytes()),
            Family::Ed => EncodingKey::from_ed_pem(pem.as_bytes()),
            Family::Rsa => EncodingKey::from_rsa_pem(pem.as_bytes()),
            Family::Hmac => return Err(KeyError::NotAsymmetric(algorithm)),
        }
        .map_err(|_| KeyError::Unreadable("the PKCS#8 key"))?;
        let mut public = Jwk::from_encoding_key(&encoding, algorithm.jwt())
            .map_err(|_| KeyError::Unreadable("the key's public half"))?;
        let kid = public
            .thumbprint(ThumbprintHash::SHA256)
            .map_err(|_| KeyError::Unreadable("the key's thumbprint"))?;
        public.common.key_id = Some(kid);
        public.common.public_key_use = Some(PublicKeyUse::Signature);
        Ok(PrivateKey {
            algorithm,
            pkcs8: Zeroizing::new(der.to_vec()),
            encoding,
            public,
        })
    }

    /// A private key in PEM: PKCS#8 `PRIVATE KEY`, SEC1 `EC PRIVATE KEY` or PKCS#1
    /// `RSA PRIVATE KEY` (what SimpleJWT's `SIGNING_KEY` and `openssl` hold). Without an
    /// `algorithm`, the key's natural one: ES256/ES384 by curve, EdDSA, RS256.
    pub fn from_pem(pem_text: &str, algorithm: Option<Algorithm>) -> Result<PrivateKey, KeyError> {
        let block = pem::parse(pem_text.trim()).map_err(|_| KeyError::NotPem)?;
        let der: Zeroizing<Vec<u8>> = match block.tag() {
            "PRIVATE KEY" => Zeroizing::new(block.contents().to_vec()),
            "EC PRIVATE KEY" => {
                let pair = [
                    &ECDSA_P256_SHA256_FIXED_SIGNING,
                    &ECDSA_P384_SHA384_FIXED_SIGNING,
                ]
                .into_iter()
                .find_map(|alg| EcdsaKeyPair::from_private_key_der(alg, block.contents()).ok())
                .ok_or(KeyError::Unreadable("the EC private key (P-256 or P-384)"))?;
                let doc = pair
                    .to_pkcs8v1()
                    .map_err(|_| KeyError::Unreadable("the EC private key"))?;
                Zeroizing::new(doc.as_ref().to_vec())
            }
            "RSA PRIVATE KEY" => {
                let pair = RsaKeyPair::from_der(block.contents())
                    .map_err(|_| KeyError::Unreadable("the RSA private key"))?;
                let doc = AsDer::<Pkcs8V1Der>::as_der(&pair)
                    .map_err(|_| KeyError::Unreadable("the RSA private key"))?;
                Zeroizing::new(doc.as_ref().to_vec())
            }
            other => return Err(KeyError::NotPrivatePem(other.to_owned())),
        };
        let algorithm = match algorithm {
            Some(a) => a,
            None => classify_pkcs8(&der)?.natural_algorithm(),
        };
        PrivateKey::from_pkcs8(algorithm, &der)
    }

    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The RFC 7638 thumbprint (SHA-256, base64url) of the public key.
    pub fn kid(&self) -> &str {
        self.public.common.key_id.as_deref().unwrap_or_default()
    }

    /// The public JWK, as published.
    pub fn public_jwk(&self) -> &Jwk {
        &self.public
    }

    /// The private key as PKCS#8 DER, for sealing into the store.
    pub fn pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }

    pub(crate) fn encoding_key(&self) -> &EncodingKey {
        &self.encoding
    }

    /// The key that checks this key's signatures.
    pub fn decoding_key(&self) -> Result<DecodingKey, KeyError> {
        DecodingKey::from_jwk(&self.public).map_err(|_| KeyError::Unreadable("the public key"))
    }
}

/// A public key in PEM (`PUBLIC KEY` or `RSA PUBLIC KEY`), as SimpleJWT's `VERIFYING_KEY`:
/// its RFC 7638 thumbprint, to compare with a private key's.
pub fn public_pem_thumbprint(pem_text: &str, algorithm: Algorithm) -> Result<String, KeyError> {
    Ok(public_pem_jwk(pem_text, algorithm)?
        .common
        .key_id
        .unwrap_or_default())
}

/// A PEM public key as a JWK with `alg` and its thumbprint as `kid`.
pub(crate) fn public_pem_jwk(pem_text: &str, algorithm: Algorithm) -> Result<Jwk, KeyError> {
    let bytes = pem_text.trim().as_bytes();
    let key = match algorithm.family() {
        Family::Ec => DecodingKey::from_ec_pem(bytes),
        Family::Ed => DecodingKey::from_ed_pem(bytes),
        Family::Rsa => DecodingKey::from_rsa_pem(bytes),
        Family::Hmac => return Err(KeyError::NotAsymmetric(algorithm)),
    }
    .map_err(|_| KeyError::Unreadable("the public key PEM"))?;
    let mut jwk = Jwk::from_decoding_key(&key, Some(algorithm.jwt()))
        .map_err(|_| KeyError::Unreadable("the public key PEM"))?;
    let kid = jwk
        .thumbprint(ThumbprintHash::SHA256)
        .map_err(|_| KeyError::Unreadable("the public key PEM"))?;
    jwk.common.key_id = Some(kid);
    Ok(jwk)
}

/// What a PKCS#8 document holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyKind {
    P256,
    P384,
    Ed25519,
    Rsa,
}

impl KeyKind {
    fn natural_algorithm(self) -> Algorithm {
        match self {
            KeyKind::P256 => Algorithm::ES256,
            KeyKind::P384 => Algorithm::ES384,
            KeyKind::Ed25519 => Algorithm::EdDSA,
            KeyKind::Rsa => Algorithm::RS256,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            KeyKind::P256 => "an EC P-256 key",
            KeyKind::P384 => "an EC P-384 key",
            KeyKind::Ed25519 => "an Ed25519 key",
            KeyKind::Rsa => "an RSA key",
        }
    }
}

fn classify_pkcs8(der: &[u8]) -> Result<KeyKind, KeyError> {
    if EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der).is_ok() {
        return Ok(KeyKind::P256);
    }
    if EcdsaKeyPair::from_pkcs8(&ECDSA_P384_SHA384_FIXED_SIGNING, der).is_ok() {
        return Ok(KeyKind::P384);
    }
    if Ed25519KeyPair::from_pkcs8(der).is_ok() {
        return Ok(KeyKind::Ed25519);
    }
    if let Ok(pair) = RsaKeyPair::from_pkcs8(der) {
        if pair.public_modulus_len() * 8 < RSA_BITS {
            return Err(KeyError::WeakRsa(pair.public_modulus_len() * 8));
        }
        return Ok(KeyKind::Rsa);
    }
    Err(KeyError::Unreadable(
        "the private key (P-256, P-384, Ed25519 or RSA)",
    ))
}

fn fits(kind: KeyKind, algorithm: Algorithm) -> bool {
    match algorithm.family() {
        Family::Ec => kind.natural_algorithm() == algorithm,
        Family::Ed => kind == KeyKind::Ed25519,
        Family::Rsa => kind == KeyKind::Rsa,
        Family::Hmac => false,
    }
}

fn ec_signing(algorithm: Algorithm) -> &'static EcdsaSigningAlgorithm {
    if algorithm == Algorithm::ES384 {
        &ECDSA_P384_SHA384_FIXED_SIGNING
    } else {
        &ECDSA_P256_SHA256_FIXED_SIGNING
    }
}

/// Base64url without padding, as JWKs and sealed keys write bytes.
pub(crate) fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
