//! Tokens whose signature checked out lately, with their claims read: a client or a service
//! presenting the same token again (a verify per request behind a gateway, a token on every
//! protected call) skips the signature check and the claims parse — most of a token check.
//! Envoy's `jwt_authn` keeps such a cache for the same reason.
//!
//! Only that work is skipped: every claim check (`exp`, `nbf`, `iat`, `iss`, `aud`, the type,
//! `jti`) and every revocation check still runs on every use. An entry names the key ring that
//! verified it ([`KeyRing::generation`](crate::keys::KeyRing::generation)): once keys are
//! swapped (a rotation, a retired key), no token verified by the old ring is trusted again
//! without a new check. Only tokens that passed every check are kept, so a forged or expired
//! token never takes a place. Entries are found by a hash keyed at random per process and
//! compared only with an entry of the same hash, so lookup times say nothing useful about the
//! tokens held.

use quick_cache::sync::Cache;

use super::Decoded;

/// At most `capacity` tokens (S3-FIFO eviction: one-off tokens, like rotated refresh tokens,
/// leave before the ones presented again); none when `capacity` is 0.
pub(super) struct VerifiedTokens(Option<Cache<Box<str>, (u64, Decoded)>>);

impl VerifiedTokens {
    pub fn new(capacity: usize) -> VerifiedTokens {
        VerifiedTokens((capacity > 0).then(|| Cache::new(capacity)))
    }

    /// The claims of `raw`, if the ring numbered `ring` verified it lately.
    pub fn get(&self, raw: &str, ring: u64) -> Option<Decoded> {
        let (verified_by, claims) = self.0.as_ref()?.get(raw)?;
        (verified_by == ring).then_some(claims)
    }

    /// Remembers that the ring numbered `ring` verified `raw`, whose claims are `claims`.
    pub fn remember(&self, raw: &str, ring: u64, claims: &Decoded) {
        if let Some(cache) = &self.0 {
            cache.insert(raw.into(), (ring, claims.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::keys::KeyRing;
    use crate::settings::Settings;
    use crate::token::{Subject, TokenError, TokenKind, TokenService};

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";
    const NOW: i64 = 1_900_000_000;

    fn service(capacity: usize) -> TokenService {
        let settings = Settings {
            verified_token_cache: capacity,
            ..Settings::default()
        };
        TokenService::with_secret(&settings, KEY)
    }

    fn refresh_token(s: &TokenService) -> String {
        let subject = Subject {
            id: 7,
            username: "ann",
            email: "ann@example.com",
            revoke_key: "r1",
        };
        s.encode(&s.for_user(TokenKind::Refresh, &subject, [], NOW))
    }

    fn held(s: &TokenService) -> usize {
        s.verified.0.as_ref().map_or(0, |cache| cache.len())
    }

    #[test]
    fn a_token_presented_again_is_served_its_claims_already_read() {
        let s = service(16);
        let token = refresh_token(&s);
        let first = s.decode(&token, None, NOW).unwrap();
        let again = s.decode(&token, None, NOW).unwrap();
        assert!(first.is_same_read(&again), "the second use reads nothing");
        assert_eq!(held(&s), 1);

        let off = service(0);
        let token = refresh_token(&off);
        let first = off.decode(&token, None, NOW).unwrap();
        let again = off.decode(&token, None, NOW).unwrap();
        assert!(!first.is_same_read(&again), "0 turns the cache off");
        assert_eq!(first, again);
    }

    #[test]
    fn a_remembered_token_still_meets_every_claim_check() {
        let s = service(16);
        let token = refresh_token(&s);
        s.decode(&token, Some(TokenKind::Refresh), NOW).unwrap();
        assert_eq!(held(&s), 1);
        assert_eq!(
            s.decode(&token, Some(TokenKind::Access), NOW),
            Err(TokenError::WrongType)
        );
        let expired_at = NOW + 24 * 3600;
        assert_eq!(s.decode(&token, None, expired_at), Err(TokenError::Expired));
        // Issued "in the future" for a clock behind the token's `iat`.
        assert_eq!(s.decode(&token, None, NOW - 3600), Err(TokenError::Invalid));
    }

    #[test]
    fn only_a_token_that_passed_every_check_is_remembered() {
        let s = service(16);
        let token = refresh_token(&s);
        let (head, signature) = token.rsplit_once('.').unwrap();
        let flipped = if signature.starts_with('A') { "B" } else { "A" };
        let forged = format!("{head}.{flipped}{}", &signature[1..]);
        assert_eq!(s.decode(&forged, None, NOW), Err(TokenError::Invalid));
        assert_eq!(
            s.decode(&token, Some(TokenKind::Access), NOW),
            Err(TokenError::WrongType)
        );
        assert_eq!(
            s.decode(&token, None, NOW + 24 * 3600),
            Err(TokenError::Expired)
        );
        assert_eq!(held(&s), 0);
        s.decode(&token, None, NOW).unwrap();
        assert_eq!(held(&s), 1);
    }

    #[test]
    fn a_token_verified_by_a_replaced_key_ring_is_checked_again() {
        let s = service(16);
        let token = refresh_token(&s);
        s.decode(&token, None, NOW).unwrap();
        let algorithm = Settings::default().algorithm;
        s.install_keys(KeyRing::hmac(
            algorithm,
            b"another secret, the old one retired",
            &[],
        ));
        assert_eq!(s.decode(&token, None, NOW), Err(TokenError::Invalid));
        // The same keys rebuilt are a new ring: its tokens are checked afresh, and pass.
        s.install_keys(KeyRing::hmac(algorithm, KEY, &[]));
        assert!(s.decode(&token, None, NOW).is_ok());
    }
}
