//! What a valid token says.

use jwtd_core::token::{Payload, TokenKind, UserRef};
use serde_json::Value;

/// The claims of a token that passed every check.
#[derive(Clone, Debug, PartialEq)]
pub struct Claims {
    /// The user, read through `user_id_claim` and `user_id_field` (jwtd's default: the integer
    /// id in `user_id`).
    pub user_id: UserRef,
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
    /// # let claims = Claims { user_id: UserRef::Id(7), jti: "j".into(), exp: 0,
    /// #     token_type: TokenKind::Access, all: Default::default() };
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
    /// # let claims = Claims { user_id: UserRef::Id(7), jti: "j".into(), exp: 0,
    /// #     token_type: TokenKind::Access, all };
    /// assert_eq!(claims.roles().collect::<Vec<_>>(), ["admin", "staff"]);
    /// assert!(claims.has_role("staff"));
    /// ```
    pub fn roles(&self) -> impl Iterator<Item = &str> {
        self.all
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
