//! CSRF tokens for cookie mode: signed double-submit, bound to the session.
//!
//! A token is `<family>.<nonce>.<mac>`: the login's family (the jti of its first refresh
//! token), 16 random bytes and HMAC-SHA256(key, family ‖ nonce), base64url. jwtd sets it in a
//! cookie JavaScript can read; a state-changing request a cookie authenticates must echo it in
//! a header. It passes when the header equals the cookie, the MAC is jwtd's, and the family is
//! the session of the cookie that authenticates the request — so a token planted by a sibling
//! subdomain, or one from another session, fails. The key is derived from the deployment's own
//! secret (the HS key, the key-encryption key, or the PEM key), which every instance shares.

use aws_lc_rs::hkdf::{HKDF_SHA256, Salt};
use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

pub struct CsrfKey(hmac::Key);

impl CsrfKey {
    pub fn derive(secret: &[u8]) -> CsrfKey {
        let prk = Salt::new(HKDF_SHA256, b"jwtd csrf").extract(secret);
        let okm = prk
            .expand(&[b"hmac-sha256 v1"], hmac::HMAC_SHA256)
            .expect("32 bytes is within HKDF-SHA256's output limit");
        CsrfKey(hmac::Key::from(okm))
    }

    fn mac(&self, family: &str, nonce: &[u8]) -> hmac::Tag {
        let mut context = hmac::Context::with_key(&self.0);
        context.update(family.as_bytes());
        context.update(b".");
        context.update(nonce);
        context.sign()
    }

    /// A new token for the session `family`.
    pub fn issue(&self, family: &str) -> String {
        let mut nonce = [0u8; 16];
        aws_lc_rs::rand::fill(&mut nonce).expect("the system RNG works");
        let tag = self.mac(family, &nonce);
        format!(
            "{family}.{}.{}",
            URL_SAFE_NO_PAD.encode(nonce),
            URL_SAFE_NO_PAD.encode(tag.as_ref())
        )
    }

    /// The session of a double-submitted token: the header's copy equals the cookie (compared
    /// in constant time) and the cookie is jwtd's.
    pub fn double_submitted<'t>(&self, cookie: &'t str, echoed: &str) -> Option<&'t str> {
        let same = subtle::ConstantTimeEq::ct_eq(cookie.as_bytes(), echoed.as_bytes());
        if bool::from(same) {
            self.session_of(cookie)
        } else {
            None
        }
    }

    /// The session a token was issued for, if the token is jwtd's (its MAC checks, in constant
    /// time).
    pub fn session_of<'t>(&self, token: &'t str) -> Option<&'t str> {
        let mut parts = token.rsplitn(3, '.');
        let (tag, nonce, family) = (parts.next()?, parts.next()?, parts.next()?);
        let nonce = URL_SAFE_NO_PAD.decode(nonce).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        let mut context = hmac::Context::with_key(&self.0);
        context.update(family.as_bytes());
        context.update(b".");
        context.update(&nonce);
        let expected = context.sign();
        bool::from(subtle::ConstantTimeEq::ct_eq(
            expected.as_ref(),
            tag.as_slice(),
        ))
        .then_some(family)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_name_their_session_and_cannot_be_forged() {
        let key = CsrfKey::derive(b"a deployment secret of 32 bytes!");
        let token = key.issue("f1");
        assert_eq!(key.session_of(&token), Some("f1"));
        assert_eq!(key.double_submitted(&token, &token), Some("f1"));
        assert_eq!(
            key.double_submitted(&token, &key.issue("f1")),
            None,
            "not the cookie's"
        );
        assert_ne!(key.issue("f1"), token, "a fresh nonce each time");
        let other = CsrfKey::derive(b"another deployment secret, 32 b!");
        assert_eq!(other.session_of(&token), None);
        let forged = token.replacen("f1", "f2", 1);
        assert_eq!(key.session_of(&forged), None);
        for junk in ["", "a.b", "f1..", "f1.!!.??", "..."] {
            assert_eq!(key.session_of(junk), None, "{junk}");
        }
    }
}
