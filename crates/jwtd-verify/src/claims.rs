//! What a valid token says.

use std::borrow::Cow;
use std::sync::Arc;

use jwtd_core::token::{Decoded, Payload, ReadClaims, Role, TokenKind, TokenService, UserRef};
use serde_json::Value;

/// The claims of a token that passed every check. The user is read up front (a token without
/// one is refused), with the few claims the checks read; the whole map ([`Claims::all`]) is
/// built when first asked for, so a service pays only for what it looks at.
#[derive(Clone, Debug, PartialEq)]
pub struct Claims {
    /// The user, read through `user_id_claim` and `user_id_field` (jwtd's default: the integer
    /// id in `user_id`).
    pub user_id: UserRef,
    /// The token type it was accepted as.
    pub token_type: TokenKind,
    claims: Decoded,
    /// The name of the jti claim (`jti_claim`).
    jti_claim: Arc<str>,
}

impl Claims {
    /// Claims as a verifier with the default claim names hands them out: for tests of code
    /// that takes them.
    ///
    /// ```
    /// # use jwtd_verify::{Claims, TokenKind, UserRef};
    /// let mut all = serde_json::Map::new();
    /// all.insert("jti".into(), "4f2a".into());
    /// all.insert("exp".into(), 1_900_000_000.into());
    /// let claims = Claims::new(UserRef::Id(7), TokenKind::Access, all);
    /// assert_eq!((claims.jti(), claims.exp()), ("4f2a".into(), 1_900_000_000));
    /// ```
    pub fn new(user_id: UserRef, token_type: TokenKind, all: Payload) -> Claims {
        Claims::with_jti_claim(user_id, token_type, all, Arc::from("jti"))
    }

    pub(crate) fn with_jti_claim(
        user_id: UserRef,
        token_type: TokenKind,
        claims: impl Into<Decoded>,
        jti_claim: Arc<str>,
    ) -> Claims {
        Claims {
            user_id,
            token_type,
            claims: claims.into(),
            jti_claim,
        }
    }

    /// Every claim, in the token's order (`ip_address`, custom claims, …).
    pub fn all(&self) -> &Payload {
        self.claims.all()
    }

    /// The token's id (the `jti_claim`); a non-string one as its JSON text, as jwtd keys it.
    pub fn jti(&self) -> Cow<'_, str> {
        match self.claims.claim(Role::Jti, &self.jti_claim) {
            Some(Value::String(jti)) => Cow::Borrowed(jti),
            Some(other) => Cow::Owned(other.to_string()),
            None => Cow::Borrowed(""),
        }
    }

    /// Expiry, epoch seconds.
    pub fn exp(&self) -> i64 {
        TokenService::exp(&self.claims)
    }

    /// The integer user id, when the token names the user by id.
    ///
    /// ```
    /// # use jwtd_verify::{Claims, TokenKind, UserRef};
    /// let claims = Claims::new(UserRef::Id(7), TokenKind::Access, Default::default());
    /// assert_eq!(claims.id(), Some(7));
    /// ```
    pub fn id(&self) -> Option<i64> {
        match self.user_id {
            UserRef::Id(id) => Some(id),
            _ => None,
        }
    }

    /// The `roles` claim's names (none when the token has no such list). Read from
    /// [`Claims::all`] when asked, so a service that ignores roles pays nothing for them.
    ///
    /// ```
    /// # use jwtd_verify::{Claims, TokenKind, UserRef};
    /// # let mut all = serde_json::Map::new();
    /// # all.insert("roles".into(), serde_json::json!(["admin", "staff"]));
    /// # let claims = Claims::new(UserRef::Id(7), TokenKind::Access, all);
    /// assert_eq!(claims.roles().collect::<Vec<_>>(), ["admin", "staff"]);
    /// assert!(claims.has_role("staff"));
    /// ```
    pub fn roles(&self) -> impl Iterator<Item = &str> {
        self.all()
            .get("roles")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
    }

    /// Whether the token carries `role` in `roles`.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles().any(|r| r == role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_jti_is_read_through_the_configured_claim_as_jwtd_keys_it() {
        let mut all = Payload::new();
        all.insert("jti".into(), "not this one".into());
        all.insert("tid".into(), 42.into());
        let claims = Claims::with_jti_claim(UserRef::Id(1), TokenKind::Access, all, "tid".into());
        assert_eq!(claims.jti(), "42", "a number: its JSON text");
        let none = Claims::with_jti_claim(
            UserRef::Id(1),
            TokenKind::Access,
            Payload::new(),
            "tid".into(),
        );
        assert_eq!((none.jti(), none.exp()), ("".into(), 0));
    }
}
