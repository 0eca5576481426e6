//! What a valid token says.

use jwtd_core::token::{Payload, TokenKind, UserRef};

/// The claims of a token that passed every check.
#[derive(Clone, Debug, PartialEq)]
pub struct Claims {
    /// The user, read through `user_id_claim` and `user_id_field` (jwtd's default: the integer
    /// id in `user_id`).
    pub user_id: UserRef,
    /// The `roles` claim (empty when the token has none).
    pub roles: Vec<String>,
    pub jti: String,
    /// Expiry, epoch seconds.
    pub exp: i64,
    /// The token type it was accepted as.
    pub token_type: TokenKind,
    /// Every claim, in the token's order (`ip_address`, custom claims, …).
    pub all: Payload,
}

impl Claims {
    /// The integer user id, when the token names the user by id.
    ///
    /// ```
    /// # use jwtd_verify::{Claims, TokenKind, UserRef};
    /// # let claims = Claims { user_id: UserRef::Id(7), roles: vec![], jti: "j".into(), exp: 0,
    /// #     token_type: TokenKind::Access, all: Default::default() };
    /// assert_eq!(claims.id(), Some(7));
    /// ```
    pub fn id(&self) -> Option<i64> {
        match self.user_id {
            UserRef::Id(id) => Some(id),
            _ => None,
        }
    }

    /// Whether the token carries `role` in `roles`.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}
