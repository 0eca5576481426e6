//! The keys a deployment signs and verifies with, built whole and swapped whole on rotation.
//!
//! The rule for choosing a verifying key, in one place: never from the token's `alg` alone.
//! * HS deployments (SimpleJWT's kid-less tokens): the signing secret, then each
//!   `previous_signing_keys` secret; a `kid` is ignored, as PyJWT ignores it for a given key.
//! * Key sets: the key the header's `kid` names (an unknown `kid` is invalid); a token without
//!   a `kid` only against keys from a system that wrote none (an imported or static PEM key)
//!   and the previous HS secrets.
//!
//! In both, the header's `alg` must be the chosen key's algorithm. Embedded `jwk`, `jku`,
//! `x5u` and `x5c` headers are never read.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{DecodingKey, EncodingKey, Header};

use super::{Algorithm, KeyError, PrivateKey};

/// A public key as the ring publishes and checks it.
pub struct PublishedKey {
    pub algorithm: Algorithm,
    /// The JWK, with `kid`, `alg` and `use`.
    pub jwk: Jwk,
    /// Also checks tokens without a `kid` (the key came from a system that wrote none).
    pub accepts_kidless: bool,
}

struct VerifyingKey {
    algorithm: Algorithm,
    key: Verifier,
}

/// How a key checks a signature.
enum Verifier {
    /// An HS secret with HMAC's key schedule done once, not per token (jsonwebtoken redoes it
    /// on every call: a fifth of an HS256 check).
    Hmac(Box<aws_lc_rs::hmac::Key>),
    Public(DecodingKey),
}

impl PublishedKey {
    /// A key of a JWKS as published (jwtd's, or any issuer's): `None` for one that cannot
    /// verify here — no `kid`, no `alg`, an algorithm jwtd does not offer, `use` other than
    /// `sig`, an HMAC key — as PyJWT's `PyJWKClient` skips them.
    pub fn from_jwk(jwk: Jwk) -> Option<PublishedKey> {
        use jsonwebtoken::jwk::{AlgorithmParameters, PublicKeyUse};
        jwk.common.key_id.as_ref()?;
        if matches!(&jwk.common.public_key_use, Some(u) if *u != PublicKeyUse::Signature) {
            return None;
        }
        if matches!(jwk.algorithm, AlgorithmParameters::OctetKey(_)) {
            return None;
        }
        let name = jwk.common.key_algorithm?.to_string();
        let algorithm: Algorithm = name.parse().ok()?;
        if algorithm.is_hmac() {
            return None;
        }
        DecodingKey::from_jwk(&jwk).ok()?;
        Some(PublishedKey {
            algorithm,
            jwk,
            accepts_kidless: false,
        })
    }

    /// A PEM public key (SimpleJWT's `VERIFYING_KEY`) for `algorithm`; it also checks kid-less
    /// tokens.
    pub fn from_public_pem(pem: &str, algorithm: Algorithm) -> Result<PublishedKey, KeyError> {
        let mut jwk = super::private::public_pem_jwk(pem, algorithm)?;
        jwk.common.public_key_use = Some(jsonwebtoken::jwk::PublicKeyUse::Signature);
        Ok(PublishedKey {
            algorithm,
            jwk,
            accepts_kidless: true,
        })
    }
}

impl VerifyingKey {
    fn public(algorithm: Algorithm, key: DecodingKey) -> VerifyingKey {
        VerifyingKey {
            algorithm,
            key: Verifier::Public(key),
        }
    }

    fn hmac(algorithm: Algorithm, secret: &[u8]) -> VerifyingKey {
        VerifyingKey {
            algorithm,
            key: Verifier::Hmac(hmac_key(algorithm, secret)),
        }
    }

    /// Whether `signature` is this key's over `message` (base64url, as in the token).
    fn signed(&self, message: &str, signature: &str) -> bool {
        match &self.key {
            Verifier::Hmac(key) => {
                // HS512's tag is the longest: 64 bytes.
                let mut tag = [0u8; 64];
                URL_SAFE_NO_PAD
                    .decode_slice(signature, &mut tag)
                    .is_ok_and(|len| {
                        // Constant-time comparison inside aws-lc.
                        aws_lc_rs::hmac::verify(key, message.as_bytes(), &tag[..len]).is_ok()
                    })
            }
            Verifier::Public(key) => jsonwebtoken::crypto::verify(
                signature,
                message.as_bytes(),
                key,
                self.algorithm.jwt(),
            )
            .unwrap_or(false),
        }
    }
}

/// An HS secret as aws-lc keeps it: HMAC's key schedule done once (boxed: aws-lc's context is
/// 1.2 kB).
fn hmac_key(algorithm: Algorithm, secret: &[u8]) -> Box<aws_lc_rs::hmac::Key> {
    let hash = match algorithm {
        Algorithm::HS384 => aws_lc_rs::hmac::HMAC_SHA384,
        Algorithm::HS512 => aws_lc_rs::hmac::HMAC_SHA512,
        _ => aws_lc_rs::hmac::HMAC_SHA256,
    };
    Box::new(aws_lc_rs::hmac::Key::new(hash, secret))
}

pub struct KeyRing {
    /// What new tokens are signed with; none in a verify-only ring (a service behind jwtd).
    signer: Option<Signer>,
    by_kid: HashMap<String, VerifyingKey>,
    kidless: Vec<VerifyingKey>,
    /// HS deployments ignore `kid`.
    hmac: bool,
    jwks: String,
    /// This ring's number, unique in the process: what a token verified by it is remembered
    /// under ([`crate::token`]'s verified-token cache), so a swapped ring trusts none of them.
    generation: u64,
}

/// The next ring's [`KeyRing::generation`].
fn next_generation() -> u64 {
    static RINGS: AtomicU64 = AtomicU64::new(0);
    RINGS.fetch_add(1, Ordering::Relaxed)
}

impl KeyRing {
    /// This ring's number, unique in the process (a rebuilt ring with the same keys gets a
    /// new one).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Signs with `secret` (no `kid`), verifies with it and then each of `previous`.
    pub fn hmac(algorithm: Algorithm, secret: &[u8], previous: &[Vec<u8>]) -> KeyRing {
        debug_assert!(algorithm.is_hmac());
        let kidless = std::iter::once(secret)
            .chain(previous.iter().map(Vec::as_slice))
            .map(|s| VerifyingKey::hmac(algorithm, s))
            .collect();
        KeyRing {
            signer: Some(Signer::new(
                Header::new(algorithm.jwt()),
                SigningKey::Hmac(hmac_key(algorithm, secret)),
            )),
            by_kid: HashMap::new(),
            kidless,
            hmac: true,
            jwks: r#"{"keys":[]}"#.to_owned(),

            generation: next_generation(),
        }
    }

    /// Signs with `signer` (its `kid` in every header); verifies with every `published` key
    /// (the signer among them) and, for kid-less tokens, the `previous` HS secrets.
    pub fn asymmetric(
        signer: &PrivateKey,
        published: Vec<PublishedKey>,
        previous: &[Vec<u8>],
    ) -> Result<KeyRing, KeyError> {
        let mut header = Header::new(signer.algorithm().jwt());
        header.kid = Some(signer.kid().to_owned());
        let mut ring = KeyRing::verifying(published, previous)?;
        ring.signer = Some(Signer::new(
            header,
            SigningKey::Pair(signer.encoding_key().clone()),
        ));
        Ok(ring)
    }

    /// A ring that only verifies (what a service behind jwtd holds): the `published` keys
    /// (e.g. jwtd's JWKS) and, for kid-less tokens, the `previous` HS secrets.
    pub fn verifying(
        published: Vec<PublishedKey>,
        previous: &[Vec<u8>],
    ) -> Result<KeyRing, KeyError> {
        let mut by_kid = HashMap::new();
        let mut kidless = Vec::new();
        for key in &published {
            let kid = key.jwk.common.key_id.clone().unwrap_or_default();
            let decoding =
                || DecodingKey::from_jwk(&key.jwk).map_err(|_| KeyError::Unreadable("a JWK"));
            if key.accepts_kidless {
                kidless.push(VerifyingKey::public(key.algorithm, decoding()?));
            }
            by_kid.insert(kid, VerifyingKey::public(key.algorithm, decoding()?));
        }
        for secret in previous {
            for algorithm in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
                kidless.push(VerifyingKey::hmac(algorithm, secret));
            }
        }
        let set = JwkSet {
            keys: published.into_iter().map(|k| k.jwk).collect(),
        };
        Ok(KeyRing {
            signer: None,
            by_kid,
            kidless,
            hmac: false,
            jwks: serde_json::to_string(&set).expect("JWKs serialize"),

            generation: next_generation(),
        })
    }

    /// A verify-only ring from a JWKS document (`{"keys": [...]}`), keeping the keys it can
    /// verify with and skipping the others, as PyJWT's `PyJWKSet` does.
    pub fn from_jwks(document: &[u8]) -> Result<KeyRing, KeyError> {
        let set: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(document).map_err(|_| KeyError::Unreadable("the JWKS"))?;
        let Some(serde_json::Value::Array(keys)) = set.get("keys") else {
            return Err(KeyError::Unreadable("the JWKS (no \"keys\" list)"));
        };
        let keys = keys
            .iter()
            .filter_map(|key| serde_json::from_value::<Jwk>(key.clone()).ok())
            .filter_map(PublishedKey::from_jwk)
            .collect();
        KeyRing::verifying(keys, &[])
    }

    /// The `kid` new tokens carry (none in HS deployments).
    pub fn signing_kid(&self) -> Option<&str> {
        self.signer
            .as_ref()
            .and_then(|signer| signer.header.kid.as_deref())
    }

    /// Whether `raw` names (in its header) a `kid` this ring does not hold: a key newer than
    /// the ring, or garbage. HS rings ignore `kid`.
    pub fn lacks_kid_of(&self, raw: &str) -> bool {
        !self.hmac
            && jsonwebtoken::decode_header(raw)
                .ok()
                .and_then(|h| h.kid)
                .is_some_and(|kid| !self.by_kid.contains_key(&kid))
    }

    /// The JWKS document, `{"keys": [...]}`: public keys only, none for HS.
    pub fn jwks(&self) -> &str {
        &self.jwks
    }

    /// Panics on a verify-only ring: nothing built on one mints tokens.
    #[cfg(test)]
    pub(crate) fn sign(&self, payload: &crate::token::Payload) -> String {
        self.sign_claims(&serde_json::to_vec(payload).expect("a JSON object serializes"))
    }

    /// [`KeyRing::sign`] for claims already serialized.
    pub(crate) fn sign_claims(&self, claims: &[u8]) -> String {
        self.signer
            .as_ref()
            .expect("a verify-only ring never signs")
            .sign(claims)
    }

    /// The claims JSON of a token whose signature a key of this ring makes, chosen by the
    /// rule above.
    ///
    /// Only the signature and the algorithm: the claims are read and checked as PyJWT checks
    /// them, by `TokenService`. (Done here rather than by `jsonwebtoken::decode`, which parses
    /// the header three times and the claims twice — a fifth of a verify request.)
    pub(crate) fn verify(&self, raw: &str) -> Result<Vec<u8>, Unverified> {
        let (message, signature) = raw.rsplit_once('.').ok_or(Unverified::Invalid)?;
        let (header, claims) = message.split_once('.').ok_or(Unverified::Invalid)?;
        let header = match &self.signer {
            // The header of this ring's own tokens, byte for byte: already known.
            Some(signer) if signer.encoded_header == header => JoseHeader {
                alg: signer.header.alg,
                kid: signer.header.kid.as_deref().map(Cow::Borrowed),
            },
            _ => decode_part(header)?,
        };
        let algorithm = Algorithm::from_jwt(header.alg).ok_or(Unverified::Invalid)?;
        let named;
        let candidates: &[VerifyingKey] = match header.kid {
            Some(kid) if !self.hmac => {
                named = self.by_kid.get(&*kid).ok_or(Unverified::UnknownKid)?;
                std::slice::from_ref(named)
            }
            _ => &self.kidless,
        };
        if !candidates
            .iter()
            .any(|key| key.algorithm == algorithm && key.signed(message, signature))
        {
            return Err(Unverified::Invalid);
        }
        URL_SAFE_NO_PAD
            .decode(claims)
            .map_err(|_| Unverified::Invalid)
    }
}

/// What new tokens are signed with, and the header they carry, encoded once.
struct Signer {
    header: Header,
    /// `base64url(header JSON)`, as jsonwebtoken writes it.
    encoded_header: String,
    key: SigningKey,
}

enum SigningKey {
    /// The HS secret with HMAC's key schedule done once.
    Hmac(Box<aws_lc_rs::hmac::Key>),
    Pair(EncodingKey),
}

impl Signer {
    fn new(header: Header, key: SigningKey) -> Signer {
        let json = serde_json::to_vec(&header).expect("a JOSE header serializes");
        Signer {
            encoded_header: URL_SAFE_NO_PAD.encode(json),
            header,
            key,
        }
    }

    /// `header.claims.signature`, each part base64url, as `jsonwebtoken::encode` makes it.
    fn sign(&self, claims: &[u8]) -> String {
        // header . claims . signature (HS512's, the longest HMAC tag, is 86 characters).
        let capacity = self.encoded_header.len() + claims.len().div_ceil(3) * 4 + 2 + 86;
        let mut token = String::with_capacity(capacity);
        token.push_str(&self.encoded_header);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(claims, &mut token);
        let signature = match &self.key {
            SigningKey::Hmac(key) => {
                URL_SAFE_NO_PAD.encode(aws_lc_rs::hmac::sign(key, token.as_bytes()))
            }
            SigningKey::Pair(key) => {
                jsonwebtoken::crypto::sign(token.as_bytes(), key, self.header.alg)
                    .expect("a key that loaded signs any message")
            }
        };
        token.push('.');
        token.push_str(&signature);
        token
    }
}

/// What the ring reads of a token's header.
#[derive(serde::Deserialize)]
struct JoseHeader<'a> {
    alg: jsonwebtoken::Algorithm,
    kid: Option<Cow<'a, str>>,
}

/// A base64url JSON part of a token.
fn decode_part<T: serde::de::DeserializeOwned>(part: &str) -> Result<T, Unverified> {
    let json = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| Unverified::Invalid)?;
    serde_json::from_slice(&json).map_err(|_| Unverified::Invalid)
}

/// Why [`KeyRing::verify`] refused a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unverified {
    /// Not signed by a key of this ring.
    Invalid,
    /// It names a key this ring does not hold (perhaps one newer than the ring).
    UnknownKid,
}
