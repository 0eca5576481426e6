//! Which login (session) an access token belongs to, told by its `jti` alone.
//!
//! SimpleJWT's access tokens carry no session claim, and adding one would change the tokens
//! clients and the seed deployments see. Instead the `jti` of an access token minted from a
//! refresh token is 16 random hex digits followed by 16 hex digits of
//! SHA-256(random digits ‖ family): still 32 lowercase hex characters, still unique, and
//! checkable against a family (the jti of the login's first refresh token). It marks the
//! caller's own session in `GET /users/me/sessions/` and spares it when the password changes.
//! Nothing is secret here: the token is signed, so its `jti` cannot be chosen by its holder.

use sha2::{Digest, Sha256};

use super::{Payload, Role, TokenService};

fn tag(nonce: &str, family: &str) -> String {
    let digest = Sha256::new()
        .chain_update(nonce.as_bytes())
        .chain_update(family.as_bytes())
        .finalize();
    crate::hex::lower(&digest[..8])
}

/// A fresh access-token `jti` bound to `family`.
pub fn session_jti(family: &str) -> String {
    let mut jti = super::new_jti();
    jti.truncate(16);
    let tag = tag(&jti, family);
    jti.push_str(&tag);
    jti
}

/// Whether a token with this `jti` belongs to the login `family`: an access token made by
/// [`session_jti`] for it, or the login's own first token (a sliding token is its session).
pub fn jti_in_session(jti: &str, family: &str) -> bool {
    jti == family
        || jti.len() == 32 && jti.is_char_boundary(16) && {
            let (nonce, tail) = jti.split_at(16);
            bool::from(subtle::ConstantTimeEq::ct_eq(
                tail.as_bytes(),
                tag(nonce, family).as_bytes(),
            ))
        }
}

impl TokenService {
    /// [`TokenService::access_from_refresh`] for the login `family`: its `jti` names the
    /// session.
    pub fn access_in_session(&self, refresh: &Payload, family: &str, now: i64) -> Payload {
        self.access_with_jti(refresh, &session_jti(family), now)
    }

    /// [`TokenService::access_from_refresh`] whose `jti` is `jti`.
    pub(super) fn access_with_jti(&self, refresh: &Payload, jti: &str, now: i64) -> Payload {
        let mut access = self.access_from_refresh(refresh, now);
        access.insert(self.claim_name(Role::Jti).to_owned(), jti.into());
        access
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_jti_names_its_family_only() {
        let jti = session_jti("family-a");
        assert_eq!(jti.len(), 32);
        assert!(
            jti.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert!(jti_in_session(&jti, "family-a"));
        assert!(!jti_in_session(&jti, "family-b"));
        assert!(!jti_in_session(&super::super::new_jti(), "family-a"));
        assert!(!jti_in_session("é", "family-a"));
        assert!(
            jti_in_session("family-a", "family-a"),
            "a sliding token is its session"
        );
        assert_ne!(session_jti("family-a"), jti, "random per token");
    }
}
