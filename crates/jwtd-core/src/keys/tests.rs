use aws_lc_rs::encoding::{AsDer, EcPrivateKeyRfc5915Der};
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use serde_json::json;

use super::*;
use crate::token::Payload;

fn payload() -> Payload {
    json!({"token_type": "access", "exp": 4_000_000_000_i64, "jti": "j", "user_id": 1})
        .as_object()
        .unwrap()
        .clone()
}

/// The claims of a token `ring` verifies.
fn claims_of(ring: &KeyRing, token: &str) -> Option<Payload> {
    let json = ring.verify(token).ok()?;
    Some(serde_json::from_slice(&json).expect("signed claims are a JSON object"))
}

fn published(key: &PrivateKey, accepts_kidless: bool) -> PublishedKey {
    PublishedKey {
        algorithm: key.algorithm(),
        jwk: key.public_jwk().clone(),
        accepts_kidless,
    }
}

fn ring_of(key: &PrivateKey) -> KeyRing {
    KeyRing::asymmetric(key, vec![published(key, false)], &[]).unwrap()
}

#[test]
fn kid_is_the_rfc_7638_thumbprint() {
    // RFC 8037 A.1 (the Ed25519 key) and A.3 (its thumbprint), wrapped in PKCS#8 (RFC 8410).
    let seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    let der = hex_bytes(&format!("302e020100300506032b657004220420{seed}"));
    let key = PrivateKey::from_pkcs8(Algorithm::EdDSA, &der).unwrap();
    assert_eq!(key.kid(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    let jwk = serde_json::to_value(key.public_jwk()).unwrap();
    assert_eq!(jwk["x"], "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
    assert_eq!((&jwk["alg"], &jwk["use"]), (&json!("EdDSA"), &json!("sig")));
    assert!(jwk.get("d").is_none(), "no private member: {jwk}");
}

#[test]
fn every_asymmetric_algorithm_signs_with_its_kid_and_verifies() {
    for algorithm in Algorithm::ALL.into_iter().filter(|a| !a.is_hmac()) {
        let key = PrivateKey::generate(algorithm).unwrap();
        let ring = ring_of(&key);
        let token = ring.sign(&payload());
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.alg, algorithm.jwt());
        assert_eq!(header.kid.as_deref(), Some(key.kid()));
        assert_eq!(claims_of(&ring, &token), Some(payload()), "{algorithm}");
        // Another key of the same algorithm does not verify it.
        let other = ring_of(&PrivateKey::generate(algorithm).unwrap());
        assert_eq!(other.verify(&token).ok(), None, "{algorithm}");
    }
}

#[test]
fn the_key_is_chosen_by_kid_and_must_match_alg() {
    let es = PrivateKey::generate(Algorithm::ES256).unwrap();
    let ed = PrivateKey::generate(Algorithm::EdDSA).unwrap();
    let ring =
        KeyRing::asymmetric(&es, vec![published(&es, false), published(&ed, false)], &[]).unwrap();
    let by_ed = ring_of(&ed).sign(&payload());
    assert!(ring.verify(&by_ed).is_ok(), "a published key verifies");
    // Its header rewritten to name the ES256 key: the signature is Ed25519's, refused.
    let forged = swap_header(&by_ed, &json!({"alg": "EdDSA", "kid": es.kid()}));
    assert_eq!(ring.verify(&forged), Err(Unverified::Invalid));
    let unknown = swap_header(&by_ed, &json!({"alg": "EdDSA", "kid": "nope"}));
    assert_eq!(ring.verify(&unknown), Err(Unverified::UnknownKid));
    let kidless = swap_header(&by_ed, &json!({"alg": "EdDSA"}));
    assert!(ring.verify(&kidless).is_err(), "no kid-less keys here");
    let none = swap_header(&by_ed, &json!({"alg": "none", "kid": ed.kid()}));
    assert!(ring.verify(&none).is_err());
}

#[test]
fn the_public_key_as_an_hmac_secret_is_refused() {
    let key = PrivateKey::generate(Algorithm::RS256).unwrap();
    let ring = ring_of(&key);
    let public = serde_json::to_vec(key.public_jwk()).unwrap();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some(key.kid().to_owned());
    let secret = jsonwebtoken::EncodingKey::from_secret(&public);
    let token = jsonwebtoken::encode(&header, &payload(), &secret).unwrap();
    assert!(ring.verify(&token).is_err());
}

#[test]
fn kidless_tokens_verify_only_against_keys_that_accept_them_and_previous_secrets() {
    let imported = PrivateKey::generate(Algorithm::RS256).unwrap();
    let old_secret = b"an old HS secret, 32 bytes or more".to_vec();
    let current = PrivateKey::generate(Algorithm::ES256).unwrap();
    let ring = KeyRing::asymmetric(
        &current,
        vec![published(&current, false), published(&imported, true)],
        std::slice::from_ref(&old_secret),
    )
    .unwrap();
    let simplejwt = |alg, key: &jsonwebtoken::EncodingKey| {
        jsonwebtoken::encode(&jsonwebtoken::Header::new(alg), &payload(), key).unwrap()
    };
    let rs = simplejwt(jsonwebtoken::Algorithm::RS256, imported.encoding_key());
    assert!(ring.verify(&rs).is_ok());
    let hs = simplejwt(
        jsonwebtoken::Algorithm::HS512,
        &jsonwebtoken::EncodingKey::from_secret(&old_secret),
    );
    assert!(ring.verify(&hs).is_ok());
    let es = simplejwt(jsonwebtoken::Algorithm::ES256, current.encoding_key());
    assert!(ring.verify(&es).is_err(), "the generated key needs its kid");
}

#[test]
fn hs_rings_verify_previous_secrets_and_ignore_kid() {
    let ring = KeyRing::hmac(
        Algorithm::HS256,
        b"the current secret, at least 32 bytes",
        &[b"the previous secret, at least 32 bytes".to_vec()],
    );
    let old = KeyRing::hmac(
        Algorithm::HS256,
        b"the previous secret, at least 32 bytes",
        &[],
    );
    let token = old.sign(&payload());
    assert_eq!(claims_of(&ring, &token), Some(payload()));
    assert_eq!(ring.jwks(), r#"{"keys":[]}"#);
    let stranger = KeyRing::hmac(Algorithm::HS256, b"somebody else's secret, 32 bytes..", &[]);
    assert!(ring.verify(&stranger.sign(&payload())).is_err());
    let hs384 = KeyRing::hmac(
        Algorithm::HS384,
        b"the current secret, at least 32 bytes",
        &[],
    );
    assert!(
        ring.verify(&hs384.sign(&payload())).is_err(),
        "alg must match"
    );
}

#[test]
fn pem_keys_are_read_in_every_form_openssl_writes() {
    let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
    let sec1 = AsDer::<EcPrivateKeyRfc5915Der>::as_der(&pair.private_key()).unwrap();
    let sec1_pem = pem::encode(&pem::Pem::new("EC PRIVATE KEY", sec1.as_ref().to_vec()));
    let from_sec1 = PrivateKey::from_pem(&sec1_pem, None).unwrap();
    assert_eq!(from_sec1.algorithm(), Algorithm::ES256);
    let pkcs8_pem = pem::encode(&pem::Pem::new("PRIVATE KEY", from_sec1.pkcs8().to_vec()));
    assert_eq!(
        PrivateKey::from_pem(&pkcs8_pem, None).unwrap().kid(),
        from_sec1.kid()
    );
    let err = PrivateKey::from_pem(&pkcs8_pem, Some(Algorithm::RS256))
        .err()
        .unwrap();
    assert_eq!(err.to_string(), "an EC P-256 key cannot sign RS256");
    assert!(matches!(
        PrivateKey::from_pem("hello", None),
        Err(KeyError::NotPem)
    ));
    let public = pem::encode(&pem::Pem::new("PUBLIC KEY", vec![0; 4]));
    assert!(matches!(
        PrivateKey::from_pem(&public, None),
        Err(KeyError::NotPrivatePem(_))
    ));
}

#[test]
fn sealed_keys_open_only_with_their_kek_and_kid() {
    let kek = KeyEncryptionKey::derive(b"a key-encryption key of 32 bytes+");
    let sealed = kek.seal("kid-1", b"private key bytes");
    assert!(!sealed.contains("private"));
    assert_eq!(
        &kek.open("kid-1", &sealed).unwrap()[..],
        b"private key bytes"
    );
    assert!(kek.open("kid-2", &sealed).is_err(), "bound to its kid");
    let other = KeyEncryptionKey::derive(b"another key-encryption key, 32 b+");
    assert!(other.open("kid-1", &sealed).is_err());
    let mut tampered = sealed.clone();
    tampered.pop();
    assert!(kek.open("kid-1", &tampered).is_err());
    assert_ne!(
        kek.seal("kid-1", b"x"),
        kek.seal("kid-1", b"x"),
        "fresh nonces"
    );
}

fn swap_header(token: &str, header: &serde_json::Value) -> String {
    let (_, rest) = token.split_once('.').unwrap();
    format!("{}.{rest}", private::b64url(header.to_string().as_bytes()))
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}
